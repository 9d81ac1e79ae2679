/**
 * The API with the platform's identity provider: tokens from a JWKS served over HTTP (Keycloak's claim layout), the
 * shared-secret tokens beside them during a migration, keys rotated while the API runs, the provider down and back.
 */
import { exportSPKI, importJWK, type CryptoKey } from 'jose';
import pino from 'pino';
import request from 'supertest';
import { signToken, tokenPayload } from '../../dev/tokens';
import { hs256Shape } from '../../lib/token-shape';
import { claimBadTokens, type BadToken } from '../helpers/access-matrix';
import { expectProblem, projectBody, startApiSystem, type ApiSystem } from '../helpers/api-system';
import { CLIENT } from '../helpers/fixtures';
import { startJwksIssuer, type JwksIssuer } from '../helpers/jwks-issuer';
import { eventually } from '../helpers/temporal';

let idp: JwksIssuer;
let sys: ApiSystem;
beforeAll(async () => {
  idp = await startJwksIssuer();
  await idp.addKey('RS256');
  // the migration: the identity provider's keys and the shared secret both accepted
  sys = await startApiSystem({ ...idp.settings('realm_access.roles'), AUTH_JWT_SECRET: 'm'.repeat(40) }, { token: (sub, role) => idp.sign(sub, role) });
}, 60000);
afterAll(async () => {
  await sys?.close();
  await idp?.close();
});

const bearer = (token: string) => `Bearer ${token}`;
const hs256 = (sub: string, role: 'client' | 'platform') => signToken(sys.config.AUTH_JWT_SECRET!, { sub, role }, 600, hs256Shape(sys.config));

test('during a migration both kinds of token act, and the request log says which key each matched', async () => {
  const lines: Record<string, unknown>[] = [];
  const app = sys.appWith({}, pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) }));
  const created = await request(app).post('/v1/projects').set('authorization', bearer(await idp.sign('plat-1', 'platform'))).send(projectBody());
  expect(created.status).toBe(201);
  const project = `/v1/projects/${created.body.id}`;
  const read = await request(app).get(project).set('authorization', bearer(await hs256(CLIENT.id, 'client')));
  expect(read.status).toBe(200);
  const stranger = await request(app).get(project).set('authorization', bearer(await idp.sign('c-9', 'client')));
  expect(stranger.status).toBe(404);
  const kid = idp.published.at(-1);
  const logged = lines.filter((l) => l.msg === 'request').map((l) => [l.method, l.route, l.status, l.user, l.role, l.token, l.kid]);
  expect(logged).toEqual([
    ['POST', '/v1/projects', 201, 'plat-1', 'platform', 'jwks', kid],
    ['GET', '/v1/projects/:projectId', 200, CLIENT.id, 'client', 'hs256', undefined],
    ['GET', '/v1/projects/:projectId', 404, 'c-9', 'client', 'jwks', kid],
  ]);
  expect(JSON.stringify(lines)).not.toMatch(/eyJ/);
  const metrics = (await request(app).get('/metrics')).text;
  expect(metrics).toMatch(/^escrow_auth_tokens_total\{key="jwks"\} 2$/m);
  expect(metrics).toMatch(/^escrow_auth_tokens_total\{key="hs256"\} 1$/m);
});

test('without AUTH_JWT_SECRET, only the identity provider signs: an HS256 token is a 401 saying what is taken', async () => {
  const app = sys.appWith({ AUTH_JWT_SECRET: undefined });
  const res = await request(app).get('/v1/me/notifications').set('authorization', bearer(await hs256('plat-1', 'platform')));
  expect(expectProblem(res, 401).detail).toBe('tokens signed HS256 are not accepted here (accepted: RS256, ES256)');
  expect((await request(app).get('/v1/me/notifications').set('authorization', bearer(await idp.sign('plat-1', 'platform')))).status).toBe(200);
});

test('rotation while the API runs: a new key acts at once, the old one until it is withdrawn and the cache expires', async () => {
  const app = sys.appWith({ AUTH_JWKS_CACHE: 1000, AUTH_JWKS_COOLDOWN: 0 });
  const get = async (token: string) => request(app).get('/v1/me/notifications').set('authorization', bearer(token));
  const oldKid = idp.published.at(-1)!;
  const oldToken = await idp.sign('c-1', 'client', { kid: oldKid });
  expect((await get(oldToken)).status).toBe(200);
  const newToken = await idp.sign('c-1', 'client', { kid: await idp.addKey('ES256') });
  expect((await get(newToken)).status).toBe(200);
  expect((await get(oldToken)).status).toBe(200);
  idp.withdraw(oldKid);
  const refused = await eventually(async () => {
    const res = await get(oldToken);
    return res.status === 401 ? res : undefined;
  }, 15000, 'the withdrawn key refused');
  expect(expectProblem(refused, 401).detail).toBe("the token's key (kid) is not among the identity provider's published keys");
  expect((await get(newToken)).status).toBe(200);
});

test('an Auth0-style sub is a user id a project can name as its party', async () => {
  const provider = 'auth0|5f7c8ec7c33c6c004bbafe82';
  const staff = bearer(await idp.sign('plat-1', 'platform'));
  const created = await request(sys.app).post('/v1/projects').set('authorization', staff).send(projectBody({ provider: { id: provider, email: 'p@example.com', name: 'Prestataire Auth0' } }));
  expect(created.status).toBe(201);
  const read = await request(sys.app).get(`/v1/projects/${created.body.id}`).set('authorization', bearer(await idp.sign(provider, 'provider')));
  expect([read.status, read.body.provider?.id]).toEqual([200, provider]);
});

test('the bad tokens of both kinds are 401 problem+json in the migration mode too', async () => {
  const shape = { AUTH_JWT_ISSUER: idp.issuer, AUTH_JWT_AUDIENCE: [idp.audience], AUTH_ROLE_CLAIM: 'realm_access.roles' };
  const kid = idp.published.at(-1)!;
  const pem = await exportSPKI((await importJWK(idp.publicJwk(kid), idp.publicJwk(kid).alg, { extractable: true })) as CryptoKey);
  const bad: BadToken[] = [
    ...claimBadTokens((payload) => idp.signClaims(payload), shape),
    ['no kid', () => idp.signClaims({ sub: 'plat-1', realm_access: { roles: ['platform'] }, iss: idp.issuer, aud: idp.audience, exp: Math.floor(Date.now() / 1000) + 600 }, undefined, { kid: undefined })],
    ['the public key as an HS256 secret', () => tokenPayload({ sub: 'plat-1', role: 'platform' }, 600, shape).setProtectedHeader({ alg: 'HS256', kid }).sign(new TextEncoder().encode(pem))],
    ['HS256 with another secret', () => signToken('another-secret-that-is-long-enough!!', { sub: 'plat-1', role: 'platform' }, 600)],
    ["HS256 with the role where the provider's tokens have it", () => signToken(sys.config.AUTH_JWT_SECRET!, { sub: 'plat-1', role: 'platform' }, 600, shape)],
  ];
  for (const [name, make] of bad) {
    const token = await make();
    const req = request(sys.app).get('/v1/me/notifications');
    const res = token ? await req.set('authorization', bearer(token)) : await req;
    expect([name, res.status]).toEqual([name, 401]);
    expectProblem(res, 401);
  }
});

test('the identity provider down: 503 problem+json with Retry-After and a warn line, not a 401; back up, the same token acts', async () => {
  const lines: Record<string, unknown>[] = [];
  const app = sys.appWith({ AUTH_JWKS_CACHE: 1000 }, pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) }));
  const token = await idp.sign('c-1', 'client');
  const get = () => request(app).get('/v1/me/notifications').set('authorization', bearer(token));
  expect((await get()).status).toBe(200);
  idp.failWith(503);
  try {
    const down = await eventually(async () => {
      const res = await get();
      return res.status === 503 ? res : undefined;
    }, 15000, 'a 503 once the cache expired');
    expect(expectProblem(down, 503).detail).toBe("the identity provider's keys are unavailable; retry later");
    expect(down.headers['retry-after']).toBe('5');
    expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([expect.stringMatching(/^could not fetch the identity provider's keys \(AUTH_JWKS_URL\)/)]);
    expect((await request(app).get('/metrics')).text).toMatch(/^escrow_auth_keys_unavailable_total [1-9]\d*$/m);
  } finally {
    idp.failWith(undefined);
  }
  await eventually(async () => ((await get()).status === 200 ? true : undefined), 15000, 'the same token acting again');
});
