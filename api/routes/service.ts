import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Client } from '@temporalio/client';
import express from 'express';
import { ping, type Db } from '../../db/pool';
import { within } from '../../lib/within';
import { problemResponses, responseConfig } from '../openapi';
import { HealthView, OpenApiDocument, ReadyView } from './service.schemas';

/** A probe answers within a second whatever is down: an orchestrator's own timeout must not be what says so. */
const PROBE_MS = 800;

const answersWithin = (ms: number, probe: Promise<unknown>): Promise<'ok' | 'unreachable'> =>
  within(probe, ms).then(() => 'ok' as const, () => 'unreachable' as const);

/** Probes and the document: public, for load balancers, orchestrators and API clients. */
export function serviceRouter({ db, temporal, registry, document }: { db: Db; temporal: Client; registry: OpenAPIRegistry; document: () => object }) {
  const ready = { description: 'PostgreSQL and Temporal answer', schema: ReadyView };
  // Refused before any route: a URL that is not readable text, an address over its rate limit.
  const refusals = problemResponses([400, 429]);
  registry.registerPath({ method: 'get', path: '/health', summary: 'Liveness: the process answers', responses: { 200: responseConfig({ description: 'alive', schema: HealthView }), ...refusals } });
  registry.registerPath({
    method: 'get',
    path: '/ready',
    summary: 'Readiness: the dependencies answer',
    responses: { 200: responseConfig(ready), 503: responseConfig({ ...ready, description: 'a dependency does not answer' }), ...refusals },
  });
  registry.registerPath({
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    responses: { 200: responseConfig({ description: 'OpenAPI 3.1', schema: OpenApiDocument }), ...refusals },
  });

  const router = express.Router();
  router.get('/health', (_req, res) => {
    res.json(HealthView.parse({ status: 'ok' }));
  });
  router.get('/ready', async (_req, res) => {
    const [postgres, temporalState] = await Promise.all([
      answersWithin(PROBE_MS, ping(db)),
      answersWithin(PROBE_MS, temporal.connection.withDeadline(Date.now() + PROBE_MS, () => temporal.connection.workflowService.getSystemInfo({}))),
    ]);
    const isReady = postgres === 'ok' && temporalState === 'ok';
    res.status(isReady ? 200 : 503).json(ReadyView.parse({ status: isReady ? 'ready' : 'not ready', postgres, temporal: temporalState }));
  });
  router.get('/openapi.json', (_req, res) => {
    res.json(document());
  });
  return router;
}
