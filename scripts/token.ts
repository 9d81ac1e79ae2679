/** Prints a dev token: npm run token -- --sub c-1 --role client [--ttl 12h]. Uses AUTH_JWT_SECRET or the dev secret. */
import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config';
import { parseDuration } from '../lib/duration';
import { signToken } from '../dev/tokens';

const { values } = parseArgs({ options: { sub: { type: 'string' }, role: { type: 'string' }, ttl: { type: 'string', default: '12h' } } });
const roles = ['client', 'provider', 'mediator', 'platform'] as const;
if (!values.sub || !roles.includes(values.role as (typeof roles)[number])) {
  console.error('usage: npm run token -- --sub <user id> --role <client|provider|mediator|platform> [--ttl 12h]');
  process.exit(2);
}
const config = loadConfig({ ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? 'unused' });
const role = values.role as (typeof roles)[number];
signToken(config.AUTH_JWT_SECRET, { sub: values.sub, role }, parseDuration(values.ttl) / 1000)
  .then((token) => console.log(token))
  .catch((err) => {
    console.error(`could not sign the token: ${(err as Error).message}`);
    process.exitCode = 1;
  });
