import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express, { type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import type { StoredResponse } from '../db/idempotency';
import type { Db } from '../db/pool';
import { ACCESS_POLICY, splitRouteKey, type BearerRouteKey, type BearerRule } from './access-policy';
import { resolveAccess } from './access';
import type { Bounded } from './deadline';
import type { Idempotency } from './idempotency';
import { requireUser, type AuthUser } from './middleware/auth';
import { documentRoute } from './openapi';
import { HttpProblem } from './problem';
import type { Responses, RouteContext, RouteHandler, RouteResult, RouteShape, RouteSpec } from './route-types';

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
    private readonly bounded: Bounded,
  ) {}

  /** A route by its row in the access table, documented at once; `.handle()` gives its handler. */
  add<K extends BearerRouteKey, R extends Responses, P extends z.ZodType = z.ZodObject, B extends z.ZodType = z.ZodUnknown, Q extends z.ZodType = z.ZodObject>(
    spec: RouteSpec<K, P, B, Q, R>,
  ): { handle(handler: RouteHandler<K, P, B, Q, R>): void } {
    documentRoute(this.registry, spec, ACCESS_POLICY[spec.route]);
    return { handle: (handler) => this.register(spec, handler) };
  }

  private register<K extends BearerRouteKey, P extends z.ZodType, B extends z.ZodType, Q extends z.ZodType, R extends Responses>(
    spec: RouteSpec<K, P, B, Q, R>,
    handler: RouteHandler<K, P, B, Q, R>,
  ): void {
    const rule: BearerRule = ACCESS_POLICY[spec.route];
    const { method, path } = splitRouteKey(spec.route);
    this.registered.add(spec.route);
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
      const query: unknown = spec.query ? spec.query.parse(req.query) : {};
      const body = this.parseBody(spec, req);
      const produce = () =>
        this.bounded(async () => {
          const ctx = { req, res, user, access, params, body, query } as RouteContext<K, z.infer<P>, z.infer<B>, z.infer<Q>>;
          return serialise(spec.responses, await handler(ctx));
        });
      // only GET routes answer bytes (documents); what a POST answers is text, stored under its Idempotency-Key
      const reply: Reply & { replayed?: true } = method === 'post' ? await this.idempotency.run(req, user, produce as () => Promise<StoredResponse>) : await produce();
      if (reply.replayed) res.set('Idempotent-Replayed', 'true');
      res.status(reply.status).type(reply.contentType).send(reply.body);
    };
    this.router[method](path, authorise, ...(spec.before ?? []), handle);
  }

  /** JSON against the route's strict schema; a route without a body takes none, or `{}`. */
  private parseBody(spec: RouteShape, req: Request): unknown {
    if (spec.requestContent) return spec.body?.parse(req.body ?? {});
    if (!hasBody(req) && !spec.body) return undefined;
    if (!hasBody(req) && spec.bodyOptional) return spec.body!.parse({});
    if (!req.is(['application/json', 'application/*+json'])) {
      throw new HttpProblem(415, 'send the body as application/json', 'unsupported-media-type');
    }
    return (spec.body ?? NoBody).parse(req.body ?? {});
  }
}

type Reply = Omit<StoredResponse, 'body'> & { body: string | Uint8Array };

/** A handler's result as the bytes sent, in the content type its status documents; also what an Idempotency-Key stores. */
function serialise<R extends Responses>(responses: R, result: RouteResult<R>): Reply {
  const doc = responses[result.status];
  if ('raw' in result) {
    const type = 'contentType' in result ? (result.contentType) : 'contentType' in doc ? doc.contentType : 'text/plain';
    return { status: result.status, contentType: type.startsWith('text/') || type === 'application/json' ? `${type}; charset=utf-8` : type, body: result.raw };
  }
  return { status: result.status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(result.body) };
}
