import type { NextFunction, Request, Response } from 'express';
import { jwtVerify } from 'jose';
import { z } from 'zod';
import type { Actor, Role } from '../../domain/parties';
import { HttpProblem } from '../problem';

export interface AuthUser {
  id: string;
  role: Role;
}

declare module 'express-serve-static-core' {
  interface Request {
    user?: AuthUser;
  }
}

const Claims = z.object({
  sub: z.string().min(1).max(200),
  role: z.enum(['client', 'provider', 'mediator', 'platform']),
  exp: z.number().int(),
});

/** Requires `Authorization: Bearer <JWT>` signed HS256 with AUTH_JWT_SECRET, with `sub`, `role` and `exp`. */
export function authenticate(secret: string) {
  const key = new TextEncoder().encode(secret);
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
    if (!match) throw new HttpProblem(401, 'a Bearer token is required', 'unauthorized');
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(match[1], key, { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] }));
    } catch {
      throw new HttpProblem(401, 'the token is invalid or expired', 'unauthorized');
    }
    const claims = Claims.safeParse(payload);
    if (!claims.success) throw new HttpProblem(401, 'the token lacks a valid sub, role or exp claim', 'unauthorized');
    req.user = { id: claims.data.sub, role: claims.data.role };
    next();
  };
}

/** The caller as the workflows know them. */
export const actorOf = (user: AuthUser): Actor => ({ userId: user.id, role: user.role });

export function requireUser(req: Request): AuthUser {
  if (!req.user) throw new HttpProblem(401, 'a Bearer token is required', 'unauthorized');
  return req.user;
}
