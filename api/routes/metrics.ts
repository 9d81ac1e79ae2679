import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express from 'express';
import { bearerMatches } from '../../lib/metrics-token';
import type { ApiMetrics } from '../metrics';
import { problemResponses, responseConfig } from '../openapi';
import { HttpProblem } from '../problem';

/** GET /metrics: this process's metrics for Prometheus; open like /health unless METRICS_TOKEN is set. */
export function metricsRouter({ metrics, token, registry }: { metrics: ApiMetrics; token?: string; registry: OpenAPIRegistry }) {
  if (token) registry.registerComponent('securitySchemes', 'metricsToken', { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN' });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    summary: "Metrics of this API process, in Prometheus's text format: requests by route, webhook signature refusals, the process",
    ...(token && { security: [{ metricsToken: [] }] }),
    responses: {
      200: responseConfig({ description: 'the metrics', contentType: 'text/plain' }),
      ...problemResponses(token ? [400, 401, 429] : [400, 429]),
    },
  });
  const router = express.Router();
  router.get('/metrics', async (req, res) => {
    if (token && !bearerMatches(req.get('authorization'), token)) {
      throw new HttpProblem(401, 'the metrics token (METRICS_TOKEN) is required', 'unauthorized', undefined, { 'WWW-Authenticate': 'Bearer realm="metrics"' });
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
