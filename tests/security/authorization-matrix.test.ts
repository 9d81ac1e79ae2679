/**
 * The access table with HS256 tokens (tests/helpers/access-matrix.ts; the JWKS mode has its own file), and what
 * every route does with a token, a method or a parameter it does not take.
 */
import { SignJWT, type JWTPayload } from 'jose';
import request from 'supertest';
import { ACCESS_POLICY, BEARER_ROUTES, splitRouteKey, type BearerRouteKey, type RouteKey } from '../../api/access-policy';
import { signToken, tokenPayload } from '../../dev/tokens';
import { accessMatrix, claimBadTokens } from '../helpers/access-matrix';
import { expectProblem, startApiSystem } from '../helpers/api-system';
import { IDENTITIES, pathIn } from '../helpers/security-world';

const SHAPE = { AUTH_JWT_ISSUER: 'https://escrow.example', AUTH_JWT_AUDIENCE: ['escrow-api'], AUTH_ROLE_CLAIM: 'role' };
const secret = () => new TextEncoder().encode(matrix.sys().config.AUTH_JWT_SECRET);
const signHs = (alg: string, key: () => Uint8Array) => (payload: JWTPayload) => new SignJWT(payload).setProtectedHeader({ alg }).sign(key());

/** HS256 mode, with the issuer and audience checked so that misaddressed tokens are among the bad ones. */
const matrix = accessMatrix(
  () => startApiSystem({ PAYMENT_PROVIDER: 'webhook', PAYOUT_DELAY: '0s', AUTH_JWT_ISSUER: SHAPE.AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE: 'escrow-api' }),
  () => [
    ...claimBadTokens(signHs('HS256', secret), SHAPE),
    ['wrong signature', () => signToken('another-secret-that-is-long-enough!!', { sub: 'plat-1', role: 'platform' }, 600, SHAPE)],
    ['HS512 with the secret', () => tokenPayload({ sub: 'plat-1', role: 'platform' }, 600, SHAPE).setProtectedHeader({ alg: 'HS512' }).sign(secret())],
  ],
);

describe('tokens', () => {
  test('the webhook takes no token, only its signature; the service routes are public', async () => {
    const hook = await request(matrix.sys().app).post('/v1/webhooks/payments').set('authorization', `Bearer ${await matrix.sys().token('plat-1', 'platform')}`).send({ id: 'evt_x', type: 'payout.paid', data: { payoutId: 'po_x' } });
    expectProblem(hook, 401);
    const publicRoutes = (Object.keys(ACCESS_POLICY) as RouteKey[]).filter((k) => ACCESS_POLICY[k].auth === 'public');
    for (const key of publicRoutes) expect([key, (await request(matrix.sys().app).get(splitRouteKey(key).path)).status]).toEqual([key, 200]);
  });
});

test('the OpenAPI document lists exactly the routes of the access table, probes included; every bearer POST documents Idempotency-Key', async () => {
  const spec = (await request(matrix.sys().app).get('/openapi.json')).body;
  const documented = Object.entries(spec.paths as Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`, op })),
  );
  // The document states what this deployment serves: one payment provider's webhook, not the other rail's.
  const served = (Object.keys(ACCESS_POLICY) as RouteKey[]).filter((k) => k !== 'POST /v1/webhooks/stripe');
  expect(matrix.sys().config.PAYMENT_PROVIDER).not.toBe('stripe');
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
  const bearer = `Bearer ${await matrix.sys().token(IDENTITIES[role].party, role)}`;
  const valid = rule.auth === 'bearer' ? pathIn(matrix.world(), key as BearerRouteKey, role) : path;
  const params = [...path.matchAll(/:(\w+)/g)].map((m) => m[0]);
  const urls = UNREADABLE.flatMap((bad) => [
    ...params.map((param) => valid.split('/').map((segment, i) => (path.split('/')[i] === param ? bad : segment)).join('/')),
    `${valid}?state=${bad}`,
    `${valid}?${bad}=1`,
  ]);
  for (const url of urls) {
    const res = await request(matrix.sys().app)[method](url).set('authorization', bearer);
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
  const bearer = `Bearer ${await matrix.sys().token(IDENTITIES.platform.party, 'platform')}`;
  for (const method of METHODS.filter((m) => !has.includes(m.toUpperCase()))) {
    for (const req of [request(matrix.sys().app)[method](url), request(matrix.sys().app)[method](url).set('authorization', bearer)]) {
      const res = await req;
      expect([method, res.status, res.headers.allow]).toEqual([method, 405, allow]);
      if (method !== 'options') expect(expectProblem(res, 405).type).toMatch(/\/method-not-allowed$/);
    }
  }
});
