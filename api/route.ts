import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { StoredResponse } from '../db/idempotency';
import type { Db } from '../db/pool';
import { ACCESS_POLICY, splitRouteKey, type BearerRouteKey, type BearerRule, type ResourceOf } from './access-policy';
import { resolveAccess, type Resources } from './access';
import type { Idempotency } from './idempotency';
import { requireUser, type AuthUser } from './middleware/auth';
import { HttpProblem } from './problem';
import { ProblemSchema } from './schemas/common';

export interface RouteContext<K extends BearerRouteKey, P, B, Q> {
  req: Request;
  res: Response;
  user: AuthUser;
  /** what the access table's guard loaded: the project, dispute, invoice… the caller may act on */
  access: Resources[ResourceOf<K>];
  params: P;
  body: B;
  query: Q;
}

export interface RouteResult {
  status: number;
  /** sent as JSON */
  body?: unknown;
  /** sent as is, with the content type the handler set */
  raw?: string;
}

export interface RouteSpec<K extends BearerRouteKey, P extends z.ZodType, B extends z.ZodType, Q extends z.ZodType> {
  /** the route's row in ACCESS_POLICY: method, path, roles and relation */
  route: K;
  summary: string;
  params?: P;
  body?: B;
  query?: Q;
  /** middleware that runs before validation (multipart parsing) */
  before?: RequestHandler[];
  /** documented request content when it is not JSON */
  requestContent?: Record<string, { schema: z.ZodType }>;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handler: (ctx: RouteContext<K, z.infer<P>, z.infer<B>, z.infer<Q>>) => Promise<RouteResult>;
}

/** A route's description without its handler, whatever its schemas. */
type RouteShape = Omit<RouteSpec<BearerRouteKey, z.ZodType, z.ZodType, z.ZodType>, 'handler'>;

const NoBody = z.strictObject({});

/** True when the request carries a body, whatever its type (a bodiless POST has neither header). */
const hasBody = (req: Request) => req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? 0) > 0;

/**
 * Registers a route once: the Express handler and its OpenAPI description come from the same zod schemas, and who
 * may call it comes from the access table. Order: token (401), role (403), path (400), relation (404), body (415,
 * 400), Idempotency-Key, handler.
 */
export class ApiRoutes {
  readonly router = express.Router();
  readonly registered = new Set<BearerRouteKey>();

  constructor(
    private readonly registry: OpenAPIRegistry,
    private readonly db: Db,
    private readonly idempotency: Idempotency,
  ) {}

  add<K extends BearerRouteKey, P extends z.ZodType = z.ZodObject, B extends z.ZodType = z.ZodUnknown, Q extends z.ZodType = z.ZodObject>(
    spec: RouteSpec<K, P, B, Q>,
  ): void {
    const rule: BearerRule = ACCESS_POLICY[spec.route];
    const { method, path } = splitRouteKey(spec.route);
    this.registered.add(spec.route);
    this.document(spec, rule);
    // Before any body is read (a multipart upload is buffered by `before`), so strangers cannot make us read one.
    const authorise: RequestHandler = async (req, res, next) => {
      const user = requireUser(req);
      if (!rule.roles.includes(user.role)) {
        throw new HttpProblem(403, `this action is for: ${rule.roles.join(', ')}`, 'forbidden');
      }
      const params = (spec.params ? spec.params.parse(req.params) : req.params) as Record<string, string>;
      res.locals.authorised = { user, params, access: await resolveAccess(this.db, user, rule, params) };
      next();
    };
    const handle: RequestHandler = async (req, res) => {
      const { user, params, access } = res.locals.authorised as { user: AuthUser; params: Record<string, string>; access: unknown };
      const query = spec.query ? spec.query.parse(req.query) : {};
      const body = this.parseBody(spec, req);
      const produce = async () => {
        const ctx = { req, res, user, access, params, body, query } as RouteContext<K, z.infer<P>, z.infer<B>, z.infer<Q>>;
        return serialise(await spec.handler(ctx), res);
      };
      const reply: StoredResponse & { replayed?: true } = method === 'post' ? await this.idempotency.run(req, user, produce) : await produce();
      if (reply.replayed) res.set('Idempotent-Replayed', 'true');
      res.status(reply.status);
      if (reply.body === '') res.end();
      else res.type(reply.contentType).send(reply.body);
    };
    this.router[method](path, authorise, ...(spec.before ?? []), handle);
  }

  /** JSON against the route's strict schema; a route without a body takes none, or `{}`. */
  private parseBody(spec: RouteShape, req: Request): unknown {
    if (spec.requestContent) return spec.body?.parse(req.body ?? {});
    if (!spec.body && !hasBody(req)) return undefined;
    if (!req.is(['application/json', 'application/*+json'])) {
      throw new HttpProblem(415, 'send the body as application/json', 'unsupported-media-type');
    }
    return (spec.body ?? NoBody).parse(req.body ?? {});
  }

  private document(spec: RouteShape, rule: BearerRule) {
    const responses: Record<string, { description: string; content?: Record<string, { schema: z.ZodType }> }> = {};
    for (const [status, r] of Object.entries(spec.responses)) {
      responses[status] = { description: r.description, ...(r.schema ? { content: { 'application/json': { schema: r.schema } } } : {}) };
    }
    const { method, path } = splitRouteKey(spec.route);
    const problems = method === 'post' ? [400, 401, 403, 404, 409, 413, 415, 422, 429] : [400, 401, 403, 404, 409, 422, 429];
    for (const status of problems) {
      responses[status] ??= { description: 'problem details', content: { 'application/problem+json': { schema: ProblemSchema } } };
    }
    const body = spec.requestContent ?? (spec.body ? { 'application/json': { schema: spec.body } } : undefined);
    const idempotencyKey = z.string().min(1).max(255).optional().meta({ description: 'replays the first response for the same request (kept 24 h)' });
    this.registry.registerPath({
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
}

/** A handler's result as the bytes sent, which is also what an Idempotency-Key stores. */
function serialise(result: RouteResult, res: Response): StoredResponse {
  if (result.raw !== undefined) return { status: result.status, contentType: String(res.get('content-type') ?? 'text/plain'), body: result.raw };
  if (result.body === undefined) return { status: result.status, contentType: '', body: '' };
  return { status: result.status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(result.body) };
}
