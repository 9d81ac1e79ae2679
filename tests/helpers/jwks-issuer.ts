import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { tokenPayload } from '../../dev/tokens';
import type { Role } from '../../domain/parties';

export type AsymmetricAlg = 'RS256' | 'ES256';

interface SigningKey {
  kid: string;
  alg: AsymmetricAlg;
  privateKey: CryptoKey;
  jwk: JWK;
}

/** What an identity provider would put in a token besides the signature: shape, key and lifetime. */
export interface SignOptions {
  kid?: string;
  ttlSeconds?: number;
  roleClaim?: string;
  issuer?: string;
  audience?: string;
  /** seconds from now before which the token is not valid (nbf) */
  notBefore?: number;
}

/**
 * The platform's identity provider as the API meets it: a JWKS served over HTTP and tokens signed with its private
 * keys. Keys are published and withdrawn as a rotation would; `fetches` counts the API's requests for the set.
 */
export interface JwksIssuer {
  /** where the key set is served (AUTH_JWKS_URL) */
  url: string;
  issuer: string;
  audience: string;
  /** the published keys, newest last */
  readonly published: string[];
  readonly fetches: number;
  /** makes a key pair and publishes its public half, unless `publish` is false (a key the provider never showed) */
  addKey(alg?: AsymmetricAlg, publish?: boolean): Promise<string>;
  withdraw(kid: string): void;
  /** the public JWK of a key, as published */
  publicJwk(kid: string): JWK;
  /** the status the JWKS endpoint answers with (an outage: 503), or undefined to serve the set again */
  failWith(status: number | undefined): void;
  /** a token for `sub` as `role`, signed with `kid` (the newest published key by default) */
  sign(sub: string, role: Role, options?: SignOptions): Promise<string>;
  /** any payload, signed as the provider would with `kid` (the newest published key by default); `header` overrides its header */
  signClaims(payload: JWTPayload, kid?: string, header?: Record<string, unknown>): Promise<string>;
  /** the settings that point the API at this issuer */
  settings(roleClaim?: string): Record<string, string>;
  close(): Promise<void>;
}

export async function startJwksIssuer(): Promise<JwksIssuer> {
  const keys = new Map<string, SigningKey>();
  const published = new Set<string>();
  let fetches = 0;
  let failure: number | undefined;
  const server = createServer((req, res) => {
    if (req.url !== '/certs') return void res.writeHead(404).end();
    fetches += 1;
    if (failure) return void res.writeHead(failure).end();
    const set = { keys: [...published].map((kid) => keys.get(kid)!.jwk) };
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify(set));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${base}/realms/escrow`;
  const audience = 'escrow-api';

  const newest = () => [...published].at(-1);
  const keyFor = (kid: string | undefined) => {
    const key = keys.get(kid ?? newest() ?? '');
    if (!key) throw new Error('jwks issuer: no key to sign with');
    return key;
  };
  const issuerApi: JwksIssuer = {
    url: `${base}/certs`,
    issuer,
    audience,
    get published() {
      return [...published];
    },
    get fetches() {
      return fetches;
    },
    async addKey(alg = 'RS256', publish = true) {
      const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
      const kid = `${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`;
      keys.set(kid, { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } });
      if (publish) published.add(kid);
      return kid;
    },
    withdraw: (kid) => void published.delete(kid),
    publicJwk: (kid) => keys.get(kid)!.jwk,
    failWith: (status) => void (failure = status),
    async sign(sub, role, options = {}) {
      const key = keyFor(options.kid);
      const payload = tokenPayload({ sub, role }, options.ttlSeconds ?? 3600, {
        AUTH_JWT_ISSUER: options.issuer ?? issuer,
        AUTH_JWT_AUDIENCE: [options.audience ?? audience],
        AUTH_ROLE_CLAIM: options.roleClaim ?? 'realm_access.roles',
      });
      if (options.notBefore !== undefined) payload.setNotBefore(Math.floor(Date.now() / 1000) + options.notBefore);
      return payload
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
        .sign(key.privateKey);
    },
    signClaims(payload, kid, header = {}) {
      const key = keyFor(kid);
      return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header }).sign(key.privateKey);
    },
    settings: (roleClaim = 'realm_access.roles') => ({ AUTH_JWKS_URL: `${base}/certs`, AUTH_JWT_ISSUER: issuer, AUTH_JWT_AUDIENCE: audience, AUTH_ROLE_CLAIM: roleClaim }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return issuerApi;
}
