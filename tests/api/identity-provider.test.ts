/**
 * The API with the platform's identity provider: tokens from a JWKS served over HTTP (Keycloak's claim layout), the
 * shared-secret tokens beside them during a migration, keys rotated while the API runs, the provider down and back.
 */
import pino from 'pino';
import request from 'supertest';
import { signToken } from '../../dev/tokens';
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
const hs256 = (sub: string, role: 'client' | 'platform') => signToken(sys.config.AUTH_JWT_SECRET!, { sub, role }, 600, sys.config);

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
  const logged = lines.filter((l) => l.msg === 'request').map((l) => [l.method, l.route, l.status, l.user, l.role, l.token]);
  expect(logged).toEqual([
    ['POST', '/v1/projects', 201, 'plat-1', 'platform', 'jwks'],
    ['GET', '/v1/projects/:projectId', 200, CLIENT.id, 'client', 'hs256'],
    ['GET', '/v1/projects/:projectId', 404, 'c-9', 'client', 'jwks'],
  ]);
  expect(JSON.stringify(lines)).not.toMatch(/eyJ/);
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

test('the identity provider down: 503 problem+json with Retry-After, not a 401; back up, the same token acts', async () => {
  const app = sys.appWith({ AUTH_JWKS_CACHE: 1000 });
  const token = await idp.sign('c-1', 'client');
  const get = () => request(app).get('/v1/me/notifications').set('authorization', bearer(token));
  expect((await get()).status).toBe(200);
  idp.failWith(503);
  try {
    const down = await eventually(async () => {
      const res = await get();
      return res.status === 503 ? res : undefined;
    }, 15000, 'a 503 once the cache expired');
    expect(expectProblem(down, 503).detail).toMatch(/^the identity provider's keys could not be read from AUTH_JWKS_URL/);
    expect(down.headers['retry-after']).toBe('5');
  } finally {
    idp.failWith(undefined);
  }
  expect((await get()).status).toBe(200);
});
