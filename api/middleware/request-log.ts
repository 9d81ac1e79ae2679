import type { RequestHandler } from 'express';
import type { Logger } from '../../lib/logger';
import { requestIdFrom, runWithRequestId } from '../request-context';
import { routeOf, type RouteMatcher } from '../route-templates';

/**
 * One line per request once answered: method, route template (not the path, which holds ids), status, duration,
 * request id (the caller's X-Request-Id, or ours: echoed either way) and the caller's id, role and the key their token
 * matched (`hs256` or `jwks`, with the
 * published key's `kid`) once known. Never a
 * header, a token or a body.
 */
export function requestLog(log: Logger, routes: RouteMatcher): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdFrom(req.get('x-request-id'));
    res.set('X-Request-Id', requestId);
    res.on('finish', () => {
      const route = routeOf(req, routes);
      log.info(
        {
          requestId,
          method: req.method,
          route: route ?? null,
          status: res.statusCode,
          ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
          ...(req.user ? { user: req.user.id, role: req.user.role, token: req.user.matched, ...(req.user.kid && { kid: req.user.kid }) } : {}),
        },
        'request',
      );
    });
    runWithRequestId(requestId, next);
  };
}
