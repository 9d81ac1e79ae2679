import type { RequestHandler } from 'express';
import { HttpProblem } from '../problem';
import type { RouteMatcher } from '../route-templates';

/**
 * A path the API has, asked with a method it does not have there (`DELETE /v1/projects/:id`, `TRACE …`): 405 with
 * an `Allow` header, before authentication, since the route table is public (/openapi.json).
 */
export function methodGuard(routes: RouteMatcher): RequestHandler {
  return (req, _res, next) => {
    const route = routes(req.path);
    if (!route) return next();
    const allowed = new Set(route.methods);
    if (allowed.has('GET')) allowed.add('HEAD');
    if (allowed.has(req.method)) return next();
    const allow = [...allowed].sort().join(', ');
    throw new HttpProblem(405, `${req.method} is not a method of ${req.path}: ${allow}`, 'method-not-allowed', undefined, { Allow: allow });
  };
}
