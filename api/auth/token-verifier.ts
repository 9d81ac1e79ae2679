import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import type { Role } from '../../domain/parties';
import { roleFrom } from '../../domain/role-claim';

/** Which key a token verified against: the shared secret or the identity provider's published keys. */
export type TokenKind = 'hs256' | 'jwks';

export interface VerifiedCaller {
  id: string;
  role: Role;
  matched: TokenKind;
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
const SUB_MAX = 200;

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
 * The remote key set, with the failures of its fetch told apart from a key it does not have: jose re-fetches the set
 * when its cache is older than AUTH_JWKS_CACHE, and on a token naming an unknown kid at most once per AUTH_JWKS_COOLDOWN.
 */
function publishedKeys(settings: AuthSettings & { AUTH_JWKS_URL: string }): JWTVerifyGetKey & { reload(): Promise<void> } {
  const remote = createRemoteJWKSet(new URL(settings.AUTH_JWKS_URL), {
    cacheMaxAge: settings.AUTH_JWKS_CACHE,
    cooldownDuration: settings.AUTH_JWKS_COOLDOWN,
  });
  const keys = async (...args: Parameters<JWTVerifyGetKey>) => {
    try {
      return await remote(...args);
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) throw err;
      throw new KeysUnavailable(`the identity provider's keys could not be read from AUTH_JWKS_URL: ${(err as Error).message}`, { cause: err });
    }
  };
  return Object.assign(keys, { reload: () => remote.reload() });
}

/**
 * Verifies bearer tokens as the settings say: HS256 with AUTH_JWT_SECRET when it is set, RS256/ES256 against
 * AUTH_JWKS_URL when that is set. The token's header picks one of the two and nothing else is tried, so that a token
 * signed with the public key as an HS256 secret (algorithm confusion) meets the shared secret and fails.
 */
export function tokenVerifier(settings: AuthSettings) {
  const secret = settings.AUTH_JWT_SECRET && new TextEncoder().encode(settings.AUTH_JWT_SECRET);
  const jwks = settings.AUTH_JWKS_URL ? publishedKeys({ ...settings, AUTH_JWKS_URL: settings.AUTH_JWKS_URL }) : undefined;
  const checks: JWTVerifyOptions = {
    issuer: settings.AUTH_JWT_ISSUER,
    audience: settings.AUTH_JWT_AUDIENCE,
    clockTolerance: settings.AUTH_CLOCK_TOLERANCE / 1000,
    requiredClaims: ['exp', 'sub'],
  };
  const accepted = [...(secret ? ['HS256'] : []), ...(jwks ? JWKS_ALGORITHMS : [])];

  async function verified(token: string, alg: string | undefined): Promise<{ payload: JWTPayload; matched: TokenKind }> {
    try {
      if (alg === 'HS256' && secret) return { payload: (await jwtVerify(token, secret, { ...checks, algorithms: ['HS256'] })).payload, matched: 'hs256' };
      if (alg && JWKS_ALGORITHMS.includes(alg) && jwks) return { payload: (await jwtVerify(token, jwks, { ...checks, algorithms: JWKS_ALGORITHMS })).payload, matched: 'jwks' };
    } catch (err) {
      if (err instanceof KeysUnavailable) throw err;
      throw refusalOf(err);
    }
    throw new TokenRefused(`tokens signed ${alg ?? 'without an alg'} are not accepted here (accepted: ${accepted.join(', ')})`);
  }

  return {
    /** the caller a token proves, or a TokenRefused / KeysUnavailable */
    async verify(token: string): Promise<VerifiedCaller> {
      let alg: string | undefined;
      try {
        alg = decodeProtectedHeader(token).alg;
      } catch {
        throw new TokenRefused('the token is not a JWT');
      }
      const { payload, matched } = await verified(token, alg);
      const role = roleFrom(payload, settings.AUTH_ROLE_CLAIM);
      if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > SUB_MAX) throw new TokenRefused(`the token's sub is not a user id (1 to ${SUB_MAX} characters)`);
      if (!Number.isInteger(payload.exp)) throw new TokenRefused("the token's exp is not a whole number of seconds");
      if (!role) throw new TokenRefused(`the token's ${settings.AUTH_ROLE_CLAIM} claim holds no known role (client, provider, mediator, platform)`);
      return { id: payload.sub, role, matched };
    },
    /** fetches the published keys ahead of the first token; a failure is only reported, the first token will retry */
    warm: async (): Promise<void> => {
      await jwks?.reload();
    },
  };
}

export type TokenVerifier = ReturnType<typeof tokenVerifier>;

/** What a process says at start it will take, e.g. `HS256 (AUTH_JWT_SECRET), RS256/ES256 (https://id.example/certs)`. */
export function acceptedTokens(settings: AuthSettings): string {
  return [
    ...(settings.AUTH_JWT_SECRET ? ['HS256 (AUTH_JWT_SECRET)'] : []),
    ...(settings.AUTH_JWKS_URL ? [`${JWKS_ALGORITHMS.join('/')} (${settings.AUTH_JWKS_URL})`] : []),
  ].join(', ');
}
