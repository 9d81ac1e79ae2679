/**
 * The verifier against a real JWKS served over HTTP, with jose's own cache: the clock the cache reads (Date.now) is
 * moved by the test, so that ten minutes of cache pass without waiting; token lifetimes keep the real clock.
 */
import { exportSPKI, importJWK, SignJWT } from 'jose';
import { FAILED_FETCH_BACKOFF_MS, KeysUnavailable, TokenRefused, tokenVerifier, type AuthSettings } from '../../api/auth/token-verifier';
import { DEV_AUTH_JWT_SECRET } from '../../lib/config';
import { signToken } from '../../dev/tokens';
import { startJwksIssuer, type JwksIssuer } from '../helpers/jwks-issuer';

let idp: JwksIssuer;
let offset = 0;
const realNow = Date.now.bind(Date);
beforeEach(async () => {
  idp = await startJwksIssuer();
  await idp.addKey('RS256');
  offset = 0;
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
});
afterEach(async () => {
  jest.restoreAllMocks();
  await idp.close();
});

const SECONDS = 1000;
const MINUTES = 60 * SECONDS;
const later = (ms: number) => void (offset += ms);

/** The settings' defaults (lib/config.ts) pointed at the test's identity provider. */
function settings(overrides: Partial<AuthSettings> = {}): AuthSettings {
  return {
    AUTH_JWT_SECRET: undefined,
    AUTH_JWKS_URL: idp.url,
    AUTH_JWT_ISSUER: idp.issuer,
    AUTH_JWT_AUDIENCE: [idp.audience],
    AUTH_ROLE_CLAIM: 'realm_access.roles',
    AUTH_JWKS_CACHE: 10 * MINUTES,
    AUTH_JWKS_COOLDOWN: 30 * SECONDS,
    AUTH_CLOCK_TOLERANCE: 30 * SECONDS,
    ...overrides,
  };
}

const refusedFor = async (promise: Promise<unknown>, detail: RegExp) => {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(TokenRefused);
  expect((err as Error).message).toMatch(detail);
};

test('rotation: a new key is taken on the first token naming it, both verify, a withdrawn key stops within the cache time', async () => {
  const verifier = tokenVerifier(settings());
  const oldKid = idp.published[0];
  const oldToken = await idp.sign('c-1', 'client', { kid: oldKid });
  const fetched = idp.fetches;
  expect(await verifier.verify(oldToken)).toEqual({ id: 'c-1', role: 'client', matched: 'jwks', kid: oldKid });
  expect(idp.fetches).toBe(fetched + 1);

  later(31 * SECONDS);
  const newKid = await idp.addKey('ES256');
  const newToken = await idp.sign('m-1', 'mediator', { kid: newKid });
  expect(await verifier.verify(newToken)).toEqual({ id: 'm-1', role: 'mediator', matched: 'jwks', kid: newKid });
  expect(await verifier.verify(oldToken)).toMatchObject({ id: 'c-1' });
  expect(idp.fetches).toBe(fetched + 2);

  idp.withdraw(oldKid);
  later(9 * MINUTES);
  expect(await verifier.verify(oldToken)).toMatchObject({ id: 'c-1' });
  expect(idp.fetches).toBe(fetched + 2);
  later(61 * SECONDS);
  await refusedFor(verifier.verify(oldToken), /key \(kid\) is not among/);
  expect(await verifier.verify(newToken)).toMatchObject({ id: 'm-1' });
  expect(idp.fetches).toBe(fetched + 3);
});

test('tokens naming unknown keys fetch the set at most once per cooldown; a key published within it waits for its end', async () => {
  const verifier = tokenVerifier(settings());
  await verifier.verify(await idp.sign('c-1', 'client'));
  const fetched = idp.fetches;
  const strangers = await Promise.all(Array.from({ length: 5 }, () => idp.addKey('RS256', false)));
  for (const kid of [...strangers, ...strangers]) await refusedFor(verifier.verify(await idp.sign('c-1', 'client', { kid })), /key \(kid\)/);
  expect(idp.fetches).toBe(fetched);

  const published = await idp.addKey('RS256');
  const token = await idp.sign('c-2', 'client', { kid: published });
  await refusedFor(verifier.verify(token), /key \(kid\)/);
  later(30 * SECONDS);
  expect(await verifier.verify(token)).toMatchObject({ id: 'c-2' });
  for (const kid of strangers) await refusedFor(verifier.verify(await idp.sign('c-1', 'client', { kid })), /key \(kid\)/);
  expect(idp.fetches).toBe(fetched + 1);
});

test('HS256 is refused with only a JWKS; with both, each token is verified by its own key and says which it matched', async () => {
  // beside a JWKS, HS256 tokens keep the platform's own format: `role`, no iss or aud (lib/token-shape.ts)
  const hs = await signToken(DEV_AUTH_JWT_SECRET, { sub: 'p-1', role: 'provider' }, 600);
  await refusedFor(tokenVerifier(settings()).verify(hs), /^tokens signed HS256 are not accepted here \(accepted: RS256, ES256\)$/);
  const both = tokenVerifier(settings({ AUTH_JWT_SECRET: DEV_AUTH_JWT_SECRET }));
  expect(await both.verify(hs)).toEqual({ id: 'p-1', role: 'provider', matched: 'hs256' });
  const kid = idp.published[0];
  expect(await both.verify(await idp.sign('p-1', 'provider'))).toEqual({ id: 'p-1', role: 'provider', matched: 'jwks', kid });
  const hsOnly = tokenVerifier(settings({ AUTH_JWT_SECRET: DEV_AUTH_JWT_SECRET, AUTH_JWKS_URL: undefined }));
  await refusedFor(hsOnly.verify(await idp.sign('p-1', 'provider')), /^tokens signed RS256 are not accepted here \(accepted: HS256\)$/);
});

test('HS256 alone follows the issuer, audience and role claim of the settings', async () => {
  const hsOnly = tokenVerifier(settings({ AUTH_JWT_SECRET: DEV_AUTH_JWT_SECRET, AUTH_JWKS_URL: undefined }));
  const shape = { AUTH_JWT_ISSUER: idp.issuer, AUTH_JWT_AUDIENCE: [idp.audience], AUTH_ROLE_CLAIM: 'realm_access.roles' };
  expect(await hsOnly.verify(await signToken(DEV_AUTH_JWT_SECRET, { sub: 'p-1', role: 'provider' }, 600, shape))).toEqual({ id: 'p-1', role: 'provider', matched: 'hs256' });
  await refusedFor(hsOnly.verify(await signToken(DEV_AUTH_JWT_SECRET, { sub: 'p-1', role: 'provider' }, 600)), /not issued by the accepted issuer/);
  await refusedFor(hsOnly.verify(await signToken(DEV_AUTH_JWT_SECRET, { sub: 'p-1', role: 'provider' }, 600, { ...shape, AUTH_JWT_AUDIENCE: ['other'] })), /not meant for this API/);
  await refusedFor(hsOnly.verify(await signToken(DEV_AUTH_JWT_SECRET, { sub: 'p-1', role: 'provider' }, 600, { ...shape, AUTH_ROLE_CLAIM: 'role' })), /realm_access\.roles claim holds no known role/);
});

test('algorithm confusion: an RS256 token re-signed HS256 with the public key is refused in both modes', async () => {
  const kid = idp.published[0];
  const pem = await exportSPKI((await importJWK(idp.publicJwk(kid), 'RS256', { extractable: true })) as CryptoKey);
  const claims = { realm_access: { roles: ['platform'] } };
  const forged = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', kid })
    .setSubject('plat-1')
    .setIssuer(idp.issuer)
    .setAudience(idp.audience)
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(pem));
  await refusedFor(tokenVerifier(settings()).verify(forged), /HS256 are not accepted/);
  await refusedFor(tokenVerifier(settings({ AUTH_JWT_SECRET: DEV_AUTH_JWT_SECRET })).verify(forged), /signature does not verify/);
});

test('issuer, audience, expiry and nbf are checked, with the clock tolerance on both sides', async () => {
  const verifier = tokenVerifier(settings());
  await refusedFor(verifier.verify(await idp.sign('c-1', 'client', { issuer: 'https://evil.example/realms/escrow' })), /not issued by the accepted issuer/);
  await refusedFor(verifier.verify(await idp.sign('c-1', 'client', { audience: 'another-app' })), /not meant for this API/);
  await refusedFor(verifier.verify(await idp.sign('c-1', 'client', { ttlSeconds: -45 })), /has expired/);
  await refusedFor(verifier.verify(await idp.sign('c-1', 'client', { notBefore: 60 })), /not valid yet/);
  expect(await verifier.verify(await idp.sign('c-1', 'client', { ttlSeconds: -15 }))).toMatchObject({ id: 'c-1' });
  expect(await verifier.verify(await idp.sign('c-1', 'client', { notBefore: 15 }))).toMatchObject({ id: 'c-1' });
  const strict = tokenVerifier(settings({ AUTH_CLOCK_TOLERANCE: 0 }));
  await refusedFor(strict.verify(await idp.sign('c-1', 'client', { ttlSeconds: -15 })), /has expired/);
});

test('the role comes from the configured claim; a token whose claim names no known role is refused, naming the claim', async () => {
  const verifier = tokenVerifier(settings({ AUTH_ROLE_CLAIM: 'resource_access.escrow-api.roles' }));
  expect(await verifier.verify(await idp.sign('c-1', 'client', { roleClaim: 'resource_access.escrow-api.roles' }))).toMatchObject({ role: 'client' });
  await refusedFor(verifier.verify(await idp.sign('c-1', 'client', { roleClaim: 'realm_access.roles' })), /resource_access\.escrow-api\.roles claim holds no known role/);
});

test('a tampered payload, a token that is not a JWT, and alg none are refused', async () => {
  const verifier = tokenVerifier(settings({ AUTH_JWT_SECRET: DEV_AUTH_JWT_SECRET }));
  const [header, , signature] = (await idp.sign('c-1', 'client')).split('.');
  const payload = Buffer.from(JSON.stringify({ sub: 'c-1', realm_access: { roles: ['platform'] }, exp: Math.floor(realNow() / 1000) + 600, iss: idp.issuer, aud: idp.audience })).toString('base64url');
  await refusedFor(verifier.verify(`${header}.${payload}.${signature}`), /signature does not verify/);
  await refusedFor(verifier.verify('not-a-token'), /not a JWT/);
  const none = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
  await refusedFor(verifier.verify(`${none}.${payload}.`), /signed none are not accepted/);
});

test('an identity provider that cannot serve its keys is told apart from a bad token, and recovery needs no restart', async () => {
  const verifier = tokenVerifier(settings());
  const token = await idp.sign('c-1', 'client');
  idp.failWith(503);
  const err = await verifier.verify(token).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(KeysUnavailable);
  expect((err as Error).message).toBe("the identity provider's keys are unavailable; retry later");
  idp.failWith(undefined);
  later(FAILED_FETCH_BACKOFF_MS);
  expect(await verifier.verify(token)).toMatchObject({ id: 'c-1' });
});

test('an outage is fetched once per backoff, not once per token; fresh cached keys keep verifying meanwhile', async () => {
  const failures: unknown[] = [];
  const verifier = tokenVerifier(settings(), (err) => failures.push(err));
  const token = await idp.sign('c-1', 'client');
  await verifier.verify(token);
  const fetched = idp.fetches;
  idp.failWith(500);
  later(31 * SECONDS);
  const stranger = await idp.sign('c-1', 'client', { kid: await idp.addKey('RS256', false) });
  for (let i = 0; i < 5; i += 1) {
    await expect(verifier.verify(stranger)).rejects.toBeInstanceOf(i === 0 ? KeysUnavailable : TokenRefused);
    expect(await verifier.verify(token)).toMatchObject({ id: 'c-1' });
  }
  expect([idp.fetches - fetched, failures.length]).toEqual([1, 1]);
  later(10 * MINUTES);
  for (let i = 0; i < 5; i += 1) await expect(verifier.verify(token)).rejects.toBeInstanceOf(KeysUnavailable);
  expect([idp.fetches - fetched, failures.length]).toEqual([2, 2]);
  later(FAILED_FETCH_BACKOFF_MS);
  await expect(verifier.verify(token)).rejects.toBeInstanceOf(KeysUnavailable);
  expect(idp.fetches - fetched).toBe(3);
  idp.failWith(undefined);
  later(FAILED_FETCH_BACKOFF_MS);
  expect(await verifier.verify(token)).toMatchObject({ id: 'c-1' });
});

test('a JWKS token must name its key; an alg that is not a name is refused without being echoed; sub must be a user id', async () => {
  const verifier = tokenVerifier(settings());
  const payload = { sub: 'c-1', realm_access: { roles: ['client'] }, iss: idp.issuer, aud: idp.audience, exp: Math.floor(realNow() / 1000) + 600 };
  await refusedFor(verifier.verify(await idp.signClaims(payload, undefined, { kid: undefined })), /^the identity provider's tokens name their key \(kid\); this one does not$/);
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  await refusedFor(verifier.verify(`${b64({ alg: { toString: 0 } })}.${b64(payload)}.x`), /^tokens without an alg are not accepted here/);
  await refusedFor(verifier.verify(`${b64({ alg: '<b>RS256</b>' })}.${b64(payload)}.x`), /^tokens with an unreadable alg are not accepted here/);
  expect(await verifier.verify(await idp.signClaims({ ...payload, sub: 'auth0|5f7c8ec7c33c6c004bbafe82' }))).toMatchObject({ id: 'auth0|5f7c8ec7c33c6c004bbafe82' });
  await refusedFor(verifier.verify(await idp.signClaims({ ...payload, sub: 'c 1' })), /^the token's sub is not a user id/);
  await refusedFor(verifier.verify(await idp.signClaims({ ...payload, sub: 'x'.repeat(129) })), /^the token's sub is not a user id/);
});
