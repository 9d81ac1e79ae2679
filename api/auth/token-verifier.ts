import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { USER_ID, USER_ID_RULE, type Role } from '../../domain/parties';
import { roleFrom } from '../../domain/role-claim';
import type { Logger } from '../../lib/logger';
import { hs256Shape, type TokenShape } from '../../lib/token-shape';

/** Which key a token verified against: the shared secret or the identity provider's published keys. */
export type TokenKind = 'hs256' | 'jwks';

export interface VerifiedCaller {
  id: string;
  role: Role;
  matched: TokenKind;
  /** the published key a JWKS token named */
  kid?: string;
}

export interface AuthSettings {
  AUTH_JWT_SECRET: string | undefined;
  AUTH_JWKS_URL?: string;
  AUTH_JWT_ISSUER?: string;
  AUTH_JWT_AUDIENCE?: string[];
  AUTH_ROLE_CLAIM: string;
  /** milliseconds */
  AUTH_JWKS_CACHE: number;
  AUTH_JWKS_COOLDOWN: number;
  AUTH_CLOCK_TOLERANCE: number;
}

/** A token that proves nothing: a 401. */
export class TokenRefused extends Error {}

/** The identity provider's keys could not be fetched, so no JWKS token can be judged: a 503, not the caller's fault. */
export class KeysUnavailable extends Error {}

export const JWKS_ALGORITHMS = ['RS256', 'ES256'];
/** after a failed fetch of the key set, how long tokens are answered KeysUnavailable without fetching again */
export const FAILED_FETCH_BACKOFF_MS = 5000;

/** Why jose refused a token, in words a caller's developer can act on; never the token itself. */
function refusalOf(err: unknown): TokenRefused {
  if (err instanceof errors.JWTExpired) return new TokenRefused('the token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    const because: Record<string, string> = {
      nbf: 'the token is not valid yet (nbf)',
      iss: 'the token was not issued by the accepted issuer (iss)',
      aud: 'the token is not meant for this API (aud)',
    };
    return new TokenRefused(because[err.claim] ?? `the token lacks a valid ${err.claim} claim`);
  }
  if (err instanceof errors.JWKSNoMatchingKey) return new TokenRefused("the token's key (kid) is not among the identity provider's published keys");
  if (err instanceof errors.JWSSignatureVerificationFailed) return new TokenRefused("the token's signature does not verify");
  return new TokenRefused('the token is invalid');
}

/**
 * The remote key set, its fetch failures told apart from a key it does not have. jose re-fetches the set when its
 * cache is older than AUTH_JWKS_CACHE, and on a token naming an unknown kid at most once per AUTH_JWKS_COOLDOWN since
 * the last successful fetch; after a failed fetch, tokens wait FAILED_FETCH_BACKOFF_MS before another is tried (the
 * cached keys, while fresh, still serve), so that an outage of the provider is not hit once per request.
 */
function publishedKeys(url: string, settings: AuthSettings, onUnavailable: (err: unknown) => void) {
  const remote = createRemoteJWKSet(new URL(url), { cacheMaxAge: settings.AUTH_JWKS_CACHE, cooldownDuration: settings.AUTH_JWKS_COOLDOWN });
  let retryAt = 0;
  const unavailable = () => new KeysUnavailable("the identity provider's keys are unavailable; retry later");
  const keys: JWTVerifyGetKey = async (header, token) => {
    if (Date.now() < retryAt) {
      const cached = remote.fresh ? remote.jwks() : undefined;
      if (!cached) throw unavailable();
      return createLocalJWKSet(cached)(header, token);
    }
    try {
      return await remote(header, token);
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) throw err;
      retryAt = Date.now() + FAILED_FETCH_BACKOFF_MS;
      onUnavailable(err);
      throw unavailable();
    }
  };
  return { keys, reload: () => remote.reload() };
}

/** An `alg` worth naming back to the caller; anything else is described, not echoed. */
const algName = (alg: string | undefined) => (alg !== undefined && /^[A-Za-z0-9]{1,16}$/.test(alg) ? alg : undefined);

/**
 * Verifies bearer tokens as the settings say: HS256 with AUTH_JWT_SECRET when it is set, RS256/ES256 against
 * AUTH_JWKS_URL when that is set. The token's header picks one of the two and nothing else is tried, so that a token
 * signed with the public key as an HS256 secret (algorithm confusion) meets the shared secret and fails.
 * `onUnavailable` hears each failed fetch of the key set (the API logs it).
 */
export function tokenVerifier(settings: AuthSettings, onUnavailable: (err: unknown) => void = () => {}) {
  const secret = settings.AUTH_JWT_SECRET && new TextEncoder().encode(settings.AUTH_JWT_SECRET);
  const jwks = settings.AUTH_JWKS_URL ? publishedKeys(settings.AUTH_JWKS_URL, settings, onUnavailable) : undefined;
  const checksFor = (shape: TokenShape): JWTVerifyOptions => ({
    issuer: shape.AUTH_JWT_ISSUER,
    audience: shape.AUTH_JWT_AUDIENCE,
    clockTolerance: settings.AUTH_CLOCK_TOLERANCE / 1000,
    requiredClaims: ['exp', 'sub'],
  });
  const hs256 = hs256Shape(settings);
  const accepted = [...(secret ? ['HS256'] : []), ...(jwks ? JWKS_ALGORITHMS : [])];

  async function verified(token: string, alg: string | undefined, kid: unknown): Promise<{ payload: JWTPayload; matched: TokenKind; roleClaim: string }> {
    try {
      if (alg === 'HS256' && secret) {
        const { payload } = await jwtVerify(token, secret, { ...checksFor(hs256), algorithms: ['HS256'] });
        return { payload, matched: 'hs256', roleClaim: hs256.AUTH_ROLE_CLAIM ?? 'role' };
      }
      if (alg && JWKS_ALGORITHMS.includes(alg) && jwks) {
        // one key per token: with two keys of a type published (a rotation), a token without kid would match both
        if (typeof kid !== 'string' || kid.length === 0) throw new TokenRefused("the identity provider's tokens name their key (kid); this one does not");
        const { payload } = await jwtVerify(token, jwks.keys, { ...checksFor(settings), algorithms: JWKS_ALGORITHMS });
        return { payload, matched: 'jwks', roleClaim: settings.AUTH_ROLE_CLAIM };
      }
    } catch (err) {
      if (err instanceof KeysUnavailable || err instanceof TokenRefused) throw err;
      throw refusalOf(err);
    }
    const what = algName(alg) ? `tokens signed ${alg}` : alg === undefined ? 'tokens without an alg' : 'tokens with an unreadable alg';
    throw new TokenRefused(`${what} are not accepted here (accepted: ${accepted.join(', ')})`);
  }

  return {
    /** the caller a token proves, or a TokenRefused / KeysUnavailable */
    async verify(token: string): Promise<VerifiedCaller> {
      let header: Record<string, unknown>;
      try {
        header = decodeProtectedHeader(token);
      } catch {
        throw new TokenRefused('the token is not a JWT');
      }
      const alg = typeof header.alg === 'string' ? header.alg : undefined;
      const { payload, matched, roleClaim } = await verified(token, alg, header.kid);
      if (typeof payload.sub !== 'string' || !USER_ID.test(payload.sub)) throw new TokenRefused(`the token's sub is not a user id (${USER_ID_RULE})`);
      if (!Number.isInteger(payload.exp)) throw new TokenRefused("the token's exp is not a whole number of seconds");
      const role = roleFrom(payload, roleClaim);
      if (!role) throw new TokenRefused(`the token's ${roleClaim} claim holds no known role (client, provider, mediator, platform)`);
      return { id: payload.sub, role, matched, ...(matched === 'jwks' && { kid: header.kid as string }) };
    },
    /** fetches the published keys ahead of the first token */
    warm: async (): Promise<void> => {
      await jwks?.reload();
    },
  };
}

export type TokenVerifier = ReturnType<typeof tokenVerifier>;

/** The verifier a process serves with: each failed fetch of the identity provider's keys is a warn line with its cause. */
export const loggedTokenVerifier = (settings: AuthSettings, log: Logger) =>
  tokenVerifier(settings, (err) => log.warn({ err, url: settings.AUTH_JWKS_URL }, "could not fetch the identity provider's keys (AUTH_JWKS_URL): JWKS tokens get 503 until they are back"));

/** What a process says at start it will take, e.g. `HS256 (AUTH_JWT_SECRET), RS256/ES256 (https://id.example/certs)`. */
export function acceptedTokens(settings: AuthSettings): string {
  return [
    ...(settings.AUTH_JWT_SECRET ? ['HS256 (AUTH_JWT_SECRET)'] : []),
    ...(settings.AUTH_JWKS_URL ? [`${JWKS_ALGORITHMS.join('/')} (${settings.AUTH_JWKS_URL})`] : []),
  ].join(', ');
}
