import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { BearerRule } from './access-policy';
import { splitRouteKey, type RouteKey } from './access-policy';
import { IDEMPOTENCY_KEY_PATTERN } from './idempotency';
import { OPERATION_IDS } from './operation-ids';
import type { ResponseDoc, RouteShape } from './route-types';
import { ProblemSchema } from './schemas/common';

/** Every route documents these refusals; a failing dependency (database, Temporal) is a 503, never a 500. */
const PROBLEMS = { get: [400, 401, 403, 404, 409, 422, 429, 503], post: [400, 401, 403, 404, 409, 413, 415, 422, 429, 503] };

const problemResponse: ResponseConfig = {
  description: 'problem details (RFC 9457)',
  content: { 'application/problem+json': { schema: ProblemSchema } },
};

/** A 503 (a dependency down, a deadline passed) and a busy Idempotency-Key's 409 say when to send the request again. */
const retryLater: ResponseConfig = {
  ...problemResponse,
  headers: z.object({ 'Retry-After': z.string().meta({ description: 'seconds to wait before sending the same request (with its Idempotency-Key) again' }) }),
};

/** The refusals a route can answer, each documented as problem+json. */
export const problemResponses = (statuses: readonly number[]): Record<number, ResponseConfig> =>
  Object.fromEntries(statuses.map((status) => [status, status === 503 ? retryLater : problemResponse]));

export function responseConfig(doc: ResponseDoc): ResponseConfig {
  const json = 'json' in doc ? doc.json : undefined;
  const document = (type: string) => (type === 'application/json' && json ? json : type.startsWith('text/') ? z.string() : z.string().meta({ format: 'binary' }));
  const content =
    'schema' in doc
      ? { 'application/json': { schema: doc.schema } }
      : Object.fromEntries(('contentTypes' in doc ? doc.contentTypes : [doc.contentType]).map((t) => [t, { schema: document(t) }]));
  return { description: doc.description, content };
}

export function createRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: "the platform identity provider's RS256/ES256 access token (AUTH_JWKS_URL), or an HS256 token signed with AUTH_JWT_SECRET; sub is the user id, the role is in AUTH_ROLE_CLAIM",
  });
  registry.registerComponent('securitySchemes', 'paymentSignature', {
    type: 'apiKey',
    in: 'header',
    name: 'Payment-Signature',
    description: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with PAYMENTS_WEBHOOK_SECRET>',
  });
  return registry;
}

/** Documents a bearer route from the schemas its handler is typed by and its row of the access table. */
export function documentRoute(registry: OpenAPIRegistry, spec: RouteShape, rule: BearerRule): void {
  const { method, path } = splitRouteKey(spec.route);
  const documented = Object.fromEntries(Object.entries(spec.responses).map(([status, doc]) => [status, responseConfig(doc)]));
  const responses = { ...problemResponses(PROBLEMS[method]), ...documented };
  const body = spec.requestContent ?? (spec.body ? { 'application/json': { schema: spec.body } } : undefined);
  const idempotencyKey = z
    .string()
    .regex(new RegExp(IDEMPOTENCY_KEY_PATTERN))
    .optional()
    .meta({ description: 'replays the first response for the same request (kept 24 h); `"key"` and `key` are the same key' });
  registry.registerPath({
    method,
    path: path.replace(/:(\w+)/g, '{$1}'),
    summary: spec.summary,
    description: `Roles: ${rule.roles.join(', ')}; relation to the ${rule.resource}: ${rule.relation}`,
    security: [{ bearerAuth: [] }],
    request: {
      ...(spec.params ? { params: spec.params as z.ZodObject } : {}),
      ...(spec.query ? { query: spec.query as z.ZodObject } : {}),
      ...(method === 'post' ? { headers: z.object({ 'Idempotency-Key': idempotencyKey }) } : {}),
      ...(body ? { body: { content: body } } : {}),
    },
    responses,
  });
}

/**
 * The document, with what the generator leaves out: each operation's id (api/operation-ids.ts) and every request
 * body marked required (a route with a body refuses a request without one: 415 or 400).
 */
export function generateDocument(registry: OpenAPIRegistry) {
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Escrow marketplace API', version: '1.0.0', description: 'Escrow, payouts and disputes of R0 projects' },
  });
  for (const [template, item] of Object.entries(document.paths ?? {})) {
    for (const method of ['get', 'post'] as const) {
      const operation = item[method];
      if (!operation) continue;
      const key = `${method.toUpperCase()} ${template.replace(/\{(\w+)\}/g, ':$1')}` as RouteKey;
      if (!Object.hasOwn(OPERATION_IDS, key)) throw new Error(`no operationId for ${key} in api/operation-ids.ts`);
      operation.operationId = OPERATION_IDS[key];
      // A route that states no security is public (probes, this document): say so rather than leave it unsaid.
      operation.security ??= [];
      if (operation.requestBody && 'content' in operation.requestBody) operation.requestBody.required = true;
    }
  }
  return document;
}
