/**
 * The access table, proven on the real app: every bearer route × every role × (party, stranger) with real tokens, and
 * every route refusing bad tokens with a 401. A refused cell sends a valid request (so a hole would show as an effect
 * or a 2xx); an allowed cell sends an invalid body and must get past every access check to the body's validation
 * (400), or read its 200. Run once per way of signing tokens (HS256, the identity provider's JWKS).
 */
import type { JWTPayload } from 'jose';
import request from 'supertest';
import { roleClaims } from '../../domain/role-claim';
import { BEARER_ROUTES, splitRouteKey, type BearerRouteKey } from '../../api/access-policy';
import type { TokenShape } from '../../lib/token-shape';
import type { Role } from '../../domain/parties';
import { expectProblem, type ApiSystem } from './api-system';
import { PDF, uniq } from './fixtures';
import { buildWorld, expectedAccess, IDENTITIES, pathIn, ROLES, stateDigest, validBodies, type World } from './security-world';

/** A named way of not proving who one is: undefined sends no Authorization header. */
export type BadToken = [name: string, make: () => Promise<string | undefined>];

/** A request the route would carry out if the caller were allowed to. */
export function withValidBody(world: World, key: BearerRouteKey, req: request.Test): request.Test {
  if (key.endsWith('/payment-requests')) return req.attach('invoice', PDF, 'f.pdf').field('invoiceNumber', uniq('F')).field('amount', '10000');
  const body = validBodies(world)[key];
  return body ? req.send(body) : req;
}

/** A body no route accepts: an unknown field, in the route's media type. */
function withInvalidBody(key: BearerRouteKey, req: request.Test): request.Test {
  if (key.endsWith('/payment-requests')) return req.field('unexpected', 'x');
  return req.send({ unexpected: true });
}

const now = () => Math.floor(Date.now() / 1000);
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

/**
 * The bad tokens of every mode: each signed with the mode's valid key (`sign`), wrong in one claim only, as the
 * settings `shape` describe a good one; plus the unsigned and the malformed.
 */
export function claimBadTokens(sign: (payload: JWTPayload) => Promise<string>, shape: Required<TokenShape>): BadToken[] {
  const good = (): JWTPayload => ({ sub: 'plat-1', ...roleClaims('platform', shape.AUTH_ROLE_CLAIM), iss: shape.AUTH_JWT_ISSUER, aud: shape.AUTH_JWT_AUDIENCE[0], iat: now(), exp: now() + 600 });
  const without = (claim: string) => () => {
    const payload = good();
    delete payload[claim];
    return sign(payload);
  };
  return [
    ['missing', () => Promise.resolve(undefined)],
    ['not a JWT', () => Promise.resolve('not-a-jwt')],
    ['expired beyond the clock tolerance', () => sign({ ...good(), exp: now() - 120 })],
    ['not valid yet (nbf)', () => sign({ ...good(), nbf: now() + 120 })],
    ['no sub', without('sub')],
    ['no exp', without('exp')],
    ['no role', () => sign({ ...good(), ...roleClaims('admin' as Role, shape.AUTH_ROLE_CLAIM) })],
    ['wrong issuer', () => sign({ ...good(), iss: 'https://elsewhere.example/realms/escrow' })],
    ['wrong audience', () => sign({ ...good(), aud: 'another-application' })],
    ['alg none', () => Promise.resolve(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(good())}.`)],
  ];
}

/** The matrix's tests on a system `start` makes; returns the system and its world for the file's own tests. */
export function accessMatrix(start: () => Promise<ApiSystem>, badTokens: () => BadToken[]): { sys(): ApiSystem; world(): World } {
  let sys: ApiSystem;
  let world: World;
  let before: Record<string, string>;
  beforeAll(async () => {
    sys = await start();
    world = await buildWorld(sys);
    before = await stateDigest(sys.db);
  }, 60000);
  afterAll(() => sys?.close());

  async function call(key: BearerRouteKey, role: Role, isParty: boolean): Promise<request.Response> {
    const sub = isParty ? IDENTITIES[role].party : IDENTITIES[role].stranger;
    const { method } = splitRouteKey(key);
    const path = pathIn(world, key, role);
    const req = request(sys.app)[method](path).set('authorization', `Bearer ${await sys.token(sub, role)}`);
    if (method === 'get') return req;
    return expectedAccess(key, role, isParty) === 'allowed' ? withInvalidBody(key, req) : withValidBody(world, key, req);
  }

  const outcome = (key: BearerRouteKey, res: request.Response) =>
    (splitRouteKey(key).method === 'get' ? res.status === 200 : res.status === 400) ? 'allowed' : res.status;

  test.each(BEARER_ROUTES)('%s: every role, party and stranger, gets what the access table says', async (key) => {
    const actual: Record<string, unknown> = {};
    const expected: Record<string, unknown> = {};
    for (const role of ROLES) {
      for (const isParty of [true, false]) {
        const cell = `${role} ${isParty ? 'party' : 'stranger'}`;
        const res = await call(key, role, isParty);
        expected[cell] = expectedAccess(key, role, isParty);
        actual[cell] = outcome(key, res);
        if (res.status >= 400) expectProblem(res, res.status);
      }
    }
    expect(actual).toEqual(expected);
  });

  test.each(BEARER_ROUTES)('%s: a missing, forged, expired, misaddressed, incomplete or unsigned token is a 401 problem+json', async (key) => {
    const { method } = splitRouteKey(key);
    for (const [name, make] of badTokens()) {
      const token = await make();
      const req = request(sys.app)[method](pathIn(world, key, 'platform'));
      if (token) req.set('authorization', `Bearer ${token}`);
      const res = method === 'post' ? await withValidBody(world, key, req) : await req;
      expect([name, res.status]).toEqual([name, 401]);
      expectProblem(res, 401);
    }
  });

  test('no refused or invalid request of the matrix changed the ledger or a read model', async () => {
    expect(await stateDigest(sys.db)).toEqual(before);
  });

  return { sys: () => sys, world: () => world };
}
