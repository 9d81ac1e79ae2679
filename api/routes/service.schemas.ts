import { z } from 'zod';

export const HealthView = z.strictObject({ status: z.literal('ok') }).meta({ id: 'Health' });

const Dependency = z.enum(['ok', 'unreachable']);
export const ReadyView = z
  .strictObject({ status: z.enum(['ready', 'not ready']), postgres: Dependency, temporal: Dependency })
  .meta({ id: 'Readiness' });

/** This document itself: OpenAPI 3.1, described by its own specification. */
export const OpenApiDocument = z
  .looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) })
  .meta({ id: 'OpenApiDocument' });
