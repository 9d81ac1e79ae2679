/**
 * The access table and the bad tokens with the identity provider's tokens (RS256 and ES256 from a JWKS served over
 * HTTP, the role in Keycloak's realm_access.roles), HS256 refused: tests/helpers/access-matrix.ts.
 */
import { exportSPKI, importJWK, type CryptoKey } from 'jose';
import request from 'supertest';
import { DEV_AUTH_JWT_SECRET } from '../../lib/config';
import { signToken, tokenPayload } from '../../dev/tokens';
import { accessMatrix, claimBadTokens } from '../helpers/access-matrix';
import { startApiSystem } from '../helpers/api-system';
import { startJwksIssuer, type JwksIssuer } from '../helpers/jwks-issuer';
import { eventually } from '../helpers/temporal';

let idp: JwksIssuer;
let unknownKid: string;
let withdrawnKid: string;
let forgedHs256: string;
/** the keys the matrix's own callers sign with: clients and mediators RS256, providers and platform ES256 */
const signing: { rsa?: string; ec?: string } = {};
const ROLE_CLAIM = 'realm_access.roles';

/** The keys the bad tokens need: one never published, one withdrawn once the API had used it. */
async function prepareKeys(): Promise<void> {
  withdrawnKid = await idp.addKey('RS256');
  unknownKid = await idp.addKey('RS256', false);
  const rsa = (signing.rsa = await idp.addKey('RS256'));
  signing.ec = await idp.addKey('ES256');
  const pem = await exportSPKI((await importJWK(idp.publicJwk(rsa), 'RS256', { extractable: true })) as CryptoKey);
  forgedHs256 = await tokenPayload({ sub: 'plat-1', role: 'platform' }, 600, { AUTH_JWT_ISSUER: idp.issuer, AUTH_JWT_AUDIENCE: [idp.audience], AUTH_ROLE_CLAIM: ROLE_CLAIM })
    .setProtectedHeader({ alg: 'HS256', kid: rsa })
    .sign(new TextEncoder().encode(pem));
}

const matrix = accessMatrix(
  async () => {
    idp = await startJwksIssuer();
    await prepareKeys();
    // a cache of 2 s, so that the withdrawn key is seen withdrawn within the suite (the default 10m has its own test)
    const sys = await startApiSystem({ PAYMENT_PROVIDER: 'webhook', PAYOUT_DELAY: '0s', ...idp.settings(ROLE_CLAIM), AUTH_JWKS_CACHE: '2s' }, { token: (sub, role) => idp.sign(sub, role, { kid: role === 'client' || role === 'mediator' ? signing.rsa : signing.ec }) });
    try {
      const withdrawn = await idp.sign('plat-1', 'platform', { kid: withdrawnKid });
      const probe = () => request(sys.app).get('/v1/me/notifications').set('authorization', `Bearer ${withdrawn}`);
      expect((await probe()).status).toBe(200);
      idp.withdraw(withdrawnKid);
      await eventually(async () => ((await probe()).status === 401 ? true : undefined), 15000, 'the withdrawn key refused');
      return sys;
    } catch (err) {
      await sys.close();
      throw err;
    }
  },
  () => [
    ...claimBadTokens((payload) => idp.signClaims(payload), { AUTH_JWT_ISSUER: idp.issuer, AUTH_JWT_AUDIENCE: [idp.audience], AUTH_ROLE_CLAIM: ROLE_CLAIM }),
    ['unknown kid', () => idp.sign('plat-1', 'platform', { kid: unknownKid })],
    ['a key withdrawn from the JWKS', () => idp.sign('plat-1', 'platform', { kid: withdrawnKid })],
    ['RS256 re-signed as HS256 with the public key', () => Promise.resolve(forgedHs256)],
    ['HS256 with the dev secret, no AUTH_JWT_SECRET set', () => signToken(DEV_AUTH_JWT_SECRET, { sub: 'plat-1', role: 'platform' }, 600, { AUTH_JWT_ISSUER: idp.issuer, AUTH_JWT_AUDIENCE: [idp.audience], AUTH_ROLE_CLAIM: ROLE_CLAIM })],
    ['the role as a plain claim, not where AUTH_ROLE_CLAIM says', () => idp.sign('plat-1', 'platform', { roleClaim: 'role' })],
    ['no kid', () => idp.signClaims({ sub: 'plat-1', realm_access: { roles: ['platform'] }, iss: idp.issuer, aud: idp.audience, exp: Math.floor(Date.now() / 1000) + 600 }, undefined, { kid: undefined })],
  ],
);

afterAll(() => idp?.close());

test('the matrix ran on the JWKS alone, with both key types published', () => {
  expect(matrix.sys().config.AUTH_JWT_SECRET).toBeUndefined();
  expect(idp.published).toEqual([signing.rsa, signing.ec]);
});
