import { SignJWT } from 'jose';
import { roleClaims } from '../domain/role-claim';
import type { Role } from '../domain/parties';
import type { TokenShape } from '../lib/token-shape';


/** The payload of a token for `sub` as `role`, carrying the issuer, audience and role claim the API expects. */
export function tokenPayload(claims: { sub: string; role: Role }, ttlSeconds: number, shape: TokenShape = {}): SignJWT {
  const token = new SignJWT(roleClaims(claims.role, shape.AUTH_ROLE_CLAIM ?? 'role'))
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds);
  if (shape.AUTH_JWT_ISSUER) token.setIssuer(shape.AUTH_JWT_ISSUER);
  if (shape.AUTH_JWT_AUDIENCE) token.setAudience(shape.AUTH_JWT_AUDIENCE[0]);
  return token;
}

/** An HS256 access token as the API expects it (give `hs256Shape(config)` for the settings' claims). */
export function signToken(secret: string, claims: { sub: string; role: Role }, ttlSeconds = 3600, shape: TokenShape = {}): Promise<string> {
  return tokenPayload(claims, ttlSeconds, shape).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}
