import { SignJWT } from 'jose';
import type { Role } from '../domain/parties';

/** An HS256 access token as the API expects it. */
export function signToken(secret: string, claims: { sub: string; role: Role }, ttlSeconds = 3600): Promise<string> {
  return new SignJWT({ role: claims.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}
