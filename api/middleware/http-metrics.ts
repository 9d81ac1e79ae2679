import type { RequestHandler } from 'express';
import type { ApiMetrics } from '../metrics';
import { routeOf, type RouteMatcher } from '../route-templates';

/** Counts and times every request under its route template, never its path (ids would make a series each). */
export function httpMetrics(metrics: ApiMetrics, routes: RouteMatcher): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.duration.startTimer();
    res.on('finish', () => {
      const labels = { method: req.method, route: routeOf(req, routes) ?? 'unmatched', status: String(res.statusCode) };
      metrics.requests.inc(labels);
      stop(labels);
    });
    next();
  };
}
