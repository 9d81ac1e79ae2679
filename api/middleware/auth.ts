import type { NextFunction, Request, Response } from 'express';
import type { Actor, Role } from '../../domain/parties';
import { KeysUnavailable, TokenRefused, type TokenVerifier, type VerifiedCaller } from '../auth/token-verifier';
import type { ApiMetrics } from '../metrics';
import { HttpProblem } from '../problem';

/** what a caller waits before trying again when the identity provider's keys are unreachable */
const KEYS_RETRY_AFTER_SECONDS = 5;

export interface AuthUser {
  id: string;
  role: Role;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** the caller a token proved, with the key it matched (the request log says which) */
    user?: VerifiedCaller;
  }
}

/**
 * Requires `Authorization: Bearer <JWT>`: HS256 with AUTH_JWT_SECRET, or RS256/ES256 from the identity provider's
 * JWKS (api/auth/token-verifier.ts). A token that proves nothing is a 401; keys that cannot be fetched, a 503.
 */
export function authenticate(verifier: TokenVerifier, metrics: Pick<ApiMetrics, 'tokensAccepted' | 'keysUnavailable'>) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
    if (!match) throw new HttpProblem(401, 'a Bearer token is required', 'unauthorized');
    try {
      req.user = await verifier.verify(match[1]);
      metrics.tokensAccepted.inc({ key: req.user.matched });
    } catch (err) {
      if (err instanceof TokenRefused) throw new HttpProblem(401, err.message, 'unauthorized');
      if (err instanceof KeysUnavailable) {
        metrics.keysUnavailable.inc();
        throw new HttpProblem(503, err.message, 'service-unavailable', undefined, { 'Retry-After': String(KEYS_RETRY_AFTER_SECONDS) });
      }
      throw err;
    }
    next();
  };
}

/** The caller as the workflows know them. */
export const actorOf = (user: AuthUser): Actor => ({ userId: user.id, role: user.role });

export function requireUser(req: Request): AuthUser {
  if (!req.user) throw new HttpProblem(401, 'a Bearer token is required', 'unauthorized');
  return req.user;
}
