import type { RequestHandler } from 'express';
import { HttpProblem } from '../problem';

/**
 * A path the API has, asked with a method it does not have there (`DELETE /v1/projects/:id`, `TRACE …`): 405 with
 * an `Allow` header, before authentication, since the route table is public (/openapi.json). Express routes
 * case-insensitively and with or without a trailing slash: so does this.
 */
export function methodGuard(routeKeys: readonly string[]): RequestHandler {
  const routes = routeKeys.map((key) => {
    const [method, template] = key.split(' ');
    return { method, pattern: new RegExp(`^${template.replace(/:[A-Za-z]+/g, '[^/]+')}/?$`, 'i') };
  });
  return (req, _res, next) => {
    const allowed = new Set(routes.filter((r) => r.pattern.test(req.path)).map((r) => r.method));
    if (allowed.has('GET')) allowed.add('HEAD');
    if (allowed.size === 0 || allowed.has(req.method)) return next();
    const allow = [...allowed].sort().join(', ');
    throw new HttpProblem(405, `${req.method} is not a method of ${req.path}: ${allow}`, 'method-not-allowed', undefined, { Allow: allow });
  };
}
