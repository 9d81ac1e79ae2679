/**
 * Prints dev tokens, one a line, in the order asked: npm run token -- --sub c-1 --role client [--sub p-1 --role
 * provider …] [--ttl 12h]. Uses AUTH_JWT_SECRET or the dev secret (refused under NODE_ENV=production), with the issuer,
 * audience and role claim the settings ask for.
 */
import { parseArgs } from 'node:util';
import { ROLES, type Role } from '../domain/parties';
import { loadConfig, type Config } from '../lib/config';
import { hs256Shape } from '../lib/token-shape';
import { parseDuration } from '../lib/duration';
import { signToken } from '../dev/tokens';
import { fail, oneLine } from './fail';

const USAGE = `usage: npm run token -- --sub <user id> --role <${ROLES.join('|')}> [--sub … --role …] [--ttl 12h]`;
const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

function request(): { tokens: { sub: string; role: Role }[]; ttlSeconds: number } {
  try {
    const { values } = parseArgs({
      options: { sub: { type: 'string', multiple: true }, role: { type: 'string', multiple: true }, ttl: { type: 'string', default: '12h' } },
    });
    const subs = values.sub ?? [];
    const roles = values.role ?? [];
    if (!subs.length || subs.length !== roles.length || !roles.every(isRole)) fail(USAGE, 2);
    return { tokens: subs.map((sub, i) => ({ sub, role: roles[i] })), ttlSeconds: parseDuration(values.ttl) / 1000 };
  } catch (err) {
    fail(`token: ${oneLine(err)}\n${USAGE}`, 2);
  }
}

async function main() {
  const { tokens, ttlSeconds } = request();
  let config: Config;
  try {
    config = loadConfig({ ...process.env, DATABASE_URL: process.env.DATABASE_URL || 'unused' });
  } catch (err) {
    fail(`token: ${oneLine(err)}`);
  }
  const secret = config.AUTH_JWT_SECRET;
  if (!secret) fail('token: AUTH_JWKS_URL is set without AUTH_JWT_SECRET, so the API takes only the identity provider\'s tokens: sign in there, or set AUTH_JWT_SECRET too');
  for (const token of await Promise.all(tokens.map((claims) => signToken(secret, claims, ttlSeconds, hs256Shape(config))))) console.log(token);
}

main().catch((err: unknown) => fail(`token: could not sign: ${oneLine(err)}`));
