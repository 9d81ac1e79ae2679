/**
 * The access table, proven on the real app: every bearer route × every role × (party, stranger) with real tokens.
 * A refused cell sends a valid request (so a hole would show as an effect or a 2xx); an allowed cell sends an invalid
 * body and must get past every access check to the body's validation (400), or read its 200.
 */
import { SignJWT } from 'jose';
import request from 'supertest';
import { ACCESS_POLICY, BEARER_ROUTES, splitRouteKey, type BearerRouteKey, type RouteKey } from '../../api/access-policy';
import type { Role } from '../../domain/parties';
import { expectProblem, startApiSystem, type ApiSystem } from '../helpers/api-system';
import { PDF, uniq } from '../helpers/fixtures';
import { buildWorld, expectedAccess, IDENTITIES, pathIn, ROLES, stateDigest, validBodies, type World } from '../helpers/security-world';

let sys: ApiSystem;
let world: World;
let before: Record<string, string>;
beforeAll(async () => {
  sys = await startApiSystem({ PAYMENT_PROVIDER: 'webhook', PAYOUT_DELAY: '0s' });
  world = await buildWorld(sys);
  before = await stateDigest(sys.db);
}, 60000);
afterAll(() => sys?.close());

/** A request the route would carry out if the caller were allowed to. */
function withValidBody(key: BearerRouteKey, req: request.Test): request.Test {
  if (key.endsWith('/payment-requests')) return req.attach('invoice', PDF, 'f.pdf').field('invoiceNumber', uniq('F')).field('amount', '10000');
  const body = validBodies(world)[key];
  return body ? req.send(body) : req;
}

/** A body no route accepts: an unknown field, in the route's media type. */
function withInvalidBody(key: BearerRouteKey, req: request.Test): request.Test {
  if (key.endsWith('/payment-requests')) return req.field('unexpected', 'x');
  return req.send({ unexpected: true });
}

async function call(key: BearerRouteKey, role: Role, isParty: boolean): Promise<request.Response> {
  const sub = isParty ? IDENTITIES[role].party : IDENTITIES[role].stranger;
  const { method } = splitRouteKey(key);
  const path = pathIn(world, key, role);
  const req = request(sys.app)[method](path).set('authorization', `Bearer ${await sys.token(sub, role)}`);
  if (method === 'get') return req;
  return expectedAccess(key, role, isParty) === 'allowed' ? withInvalidBody(key, req) : withValidBody(key, req);
}

const outcome = (key: BearerRouteKey, res: request.Response) =>
  (splitRouteKey(key).method === 'get' ? res.status === 200 : res.status === 400) ? 'allowed' : res.status;

const cells = BEARER_ROUTES.flatMap((key) => ROLES.flatMap((role) => [true, false].map((isParty) => ({ key, role, isParty }))));

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

describe('tokens', () => {
  const secret = () => new TextEncoder().encode(sys.config.AUTH_JWT_SECRET);
  const now = () => Math.floor(Date.now() / 1000);
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const BAD_TOKENS: [string, () => Promise<string | undefined>][] = [
    ['missing', () => Promise.resolve(undefined)],
    ['wrong signature', () => new SignJWT({ role: 'platform' }).setProtectedHeader({ alg: 'HS256' }).setSubject('plat-1').setExpirationTime('1h').sign(new TextEncoder().encode('another-secret-that-is-long-enough!!'))],
    ['expired', () => new SignJWT({ role: 'platform' }).setProtectedHeader({ alg: 'HS256' }).setSubject('plat-1').setExpirationTime(now() - 10).sign(secret())],
    ['no sub', () => new SignJWT({ role: 'platform' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(secret())],
    ['no role', () => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('plat-1').setExpirationTime('1h').sign(secret())],
    ['unknown role', () => new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('plat-1').setExpirationTime('1h').sign(secret())],
    ['no exp', () => new SignJWT({ role: 'platform' }).setProtectedHeader({ alg: 'HS256' }).setSubject('plat-1').sign(secret())],
    ['alg none', () => Promise.resolve(`${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'plat-1', role: 'platform', exp: now() + 600 })}.`)],
    ['HS512', () => new SignJWT({ role: 'platform' }).setProtectedHeader({ alg: 'HS512' }).setSubject('plat-1').setExpirationTime('1h').sign(secret())],
  ];

  test.each(BEARER_ROUTES)('%s: a missing, forged, expired, incomplete or unsigned token is 401', async (key) => {
    const { method } = splitRouteKey(key);
    for (const [name, make] of BAD_TOKENS) {
      const token = await make();
      const req = request(sys.app)[method](pathIn(world, key, 'platform'));
      if (token) req.set('authorization', `Bearer ${token}`);
      const res = method === 'post' ? await withValidBody(key, req) : await req;
      expect([name, res.status]).toEqual([name, 401]);
      expectProblem(res, 401);
    }
  });

  test('the webhook takes no token, only its signature; the service routes are public', async () => {
    const hook = await request(sys.app).post('/v1/webhooks/payments').set('authorization', `Bearer ${await sys.token('plat-1', 'platform')}`).send({ id: 'evt_x', type: 'payout.paid', data: { payoutId: 'po_x' } });
    expectProblem(hook, 401);
    const publicRoutes = (Object.keys(ACCESS_POLICY) as RouteKey[]).filter((k) => ACCESS_POLICY[k].auth === 'public');
    for (const key of publicRoutes) expect([key, (await request(sys.app).get(splitRouteKey(key).path)).status]).toEqual([key, 200]);
  });
});

test('the OpenAPI document lists exactly the routes of the access table, probes included; every bearer POST documents Idempotency-Key', async () => {
  const spec = (await request(sys.app).get('/openapi.json')).body;
  const documented = Object.entries(spec.paths as Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`, op })),
  );
  // The document states what this deployment serves: one payment provider's webhook, not the other rail's.
  const served = (Object.keys(ACCESS_POLICY) as RouteKey[]).filter((k) => k !== 'POST /v1/webhooks/stripe');
  expect(sys.config.PAYMENT_PROVIDER).not.toBe('stripe');
  expect(documented.map((d) => d.key).sort()).toEqual(served.sort());
  const withoutKey = documented.filter((d) => BEARER_ROUTES.includes(d.key as never) && d.key.startsWith('POST') && !d.op.parameters?.some((p) => p.in === 'header' && p.name === 'Idempotency-Key'));
  expect(withoutKey.map((d) => d.key)).toEqual([]);
});

/** Percent-encoded values that are not text an id or a filter can hold: NUL, other controls, bytes that are not UTF-8. */
const UNREADABLE = ['%00', 'a%00b', '%01', '%0A', '%1F', '%7F', '%C3%28', '%FF', '%ED%A0%80', '%E0%A4%A'];

test.each(Object.keys(ACCESS_POLICY) as RouteKey[])('%s: a path or query parameter that is not readable text is a 400 or 404 problem+json', async (key) => {
  const { method, path } = splitRouteKey(key);
  const rule = ACCESS_POLICY[key];
  const role = rule.auth === 'bearer' ? rule.roles[0] : 'platform';
  const bearer = `Bearer ${await sys.token(IDENTITIES[role].party, role)}`;
  const valid = rule.auth === 'bearer' ? pathIn(world, key as BearerRouteKey, role) : path;
  const params = [...path.matchAll(/:(\w+)/g)].map((m) => m[0]);
  const urls = UNREADABLE.flatMap((bad) => [
    ...params.map((param) => valid.split('/').map((segment, i) => (path.split('/')[i] === param ? bad : segment)).join('/')),
    `${valid}?state=${bad}`,
    `${valid}?${bad}=1`,
  ]);
  for (const url of urls) {
    const res = await request(sys.app)[method](url).set('authorization', bearer);
    expect([url, [400, 404].includes(res.status)]).toEqual([url, true]);
    expectProblem(res, res.status);
  }
});

const PATHS = [...new Set((Object.keys(ACCESS_POLICY) as RouteKey[]).map((key) => splitRouteKey(key).path))];
const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'options', 'trace'] as const;

test.each(PATHS)('%s: a method the path does not have is a 405 problem+json naming those it has, token or not', async (path) => {
  const has = (Object.keys(ACCESS_POLICY) as RouteKey[]).filter((key) => splitRouteKey(key).path === path).map((key) => key.split(' ')[0]);
  const allow = [...has, ...(has.includes('GET') ? ['HEAD'] : [])].sort().join(', ');
  const url = path.replace(/:(\w+)/g, 'x_1');
  const bearer = `Bearer ${await sys.token(IDENTITIES.platform.party, 'platform')}`;
  for (const method of METHODS.filter((m) => !has.includes(m.toUpperCase()))) {
    for (const req of [request(sys.app)[method](url), request(sys.app)[method](url).set('authorization', bearer)]) {
      const res = await req;
      expect([method, res.status, res.headers.allow]).toEqual([method, 405, allow]);
      if (method !== 'options') expect(expectProblem(res, 405).type).toMatch(/\/method-not-allowed$/);
    }
  }
});

test('no refused or invalid request of the matrix changed the ledger or a read model', async () => {
  expect(await stateDigest(sys.db)).toEqual(before);
  expect(cells.length).toBe(BEARER_ROUTES.length * 8);
});
