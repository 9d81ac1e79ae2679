import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { Role } from '../workflows/shared';
import { requireUser, type AuthUser } from './middleware/auth';
import { HttpProblem } from './problem';
import { ProblemSchema } from './schemas/common';

type Method = 'get' | 'post';

export interface RouteContext<P, B, Q> {
  req: Request;
  res: Response;
  user: AuthUser;
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

export interface RouteSpec<P extends z.ZodType, B extends z.ZodType, Q extends z.ZodType> {
  method: Method;
  /** Express-style path, e.g. /v1/projects/:projectId */
  path: string;
  summary: string;
  /** roles that may call it; anyone else gets 403 */
  roles: readonly Role[];
  params?: P;
  body?: B;
  query?: Q;
  /** middleware that runs before validation (multipart parsing) */
  before?: RequestHandler[];
  /** documented request content when it is not JSON */
  requestContent?: Record<string, { schema: z.ZodType }>;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handler: (ctx: RouteContext<z.infer<P>, z.infer<B>, z.infer<Q>>) => Promise<RouteResult>;
}

/** Registers a route once: the Express handler and its OpenAPI description come from the same zod schemas. */
export class ApiRoutes {
  readonly router = express.Router();

  constructor(private readonly registry: OpenAPIRegistry) {}

  add<P extends z.ZodType = z.ZodObject, B extends z.ZodType = z.ZodUnknown, Q extends z.ZodType = z.ZodObject>(
    spec: RouteSpec<P, B, Q>,
  ): void {
    this.document(spec);
    const handle: RequestHandler = async (req, res) => {
      const user = requireUser(req);
      if (!spec.roles.includes(user.role)) {
        throw new HttpProblem(403, `this action is for: ${spec.roles.join(', ')}`, 'forbidden');
      }
      const params = spec.params ? spec.params.parse(req.params) : req.params;
      const query = spec.query ? spec.query.parse(req.query) : {};
      let body: unknown = undefined;
      if (spec.body) {
        if (!spec.requestContent && !req.is('application/json')) {
          throw new HttpProblem(415, 'send the body as application/json', 'unsupported-media-type');
        }
        body = spec.body.parse(req.body ?? {});
      }
      const result = await spec.handler({ req, res, user, params, body, query } as RouteContext<z.infer<P>, z.infer<B>, z.infer<Q>>);
      res.status(result.status);
      if (result.raw !== undefined) res.send(result.raw);
      else if (result.body === undefined) res.end();
      else res.json(result.body);
    };
    this.router[spec.method](spec.path, ...(spec.before ?? []), handle);
  }

  private document(spec: RouteSpec<z.ZodType, z.ZodType, z.ZodType>) {
    const responses: Record<string, { description: string; content?: Record<string, { schema: z.ZodType }> }> = {};
    for (const [status, r] of Object.entries(spec.responses)) {
      responses[status] = { description: r.description, ...(r.schema ? { content: { 'application/json': { schema: r.schema } } } : {}) };
    }
    for (const status of [400, 401, 403, 404, 409, 422]) {
      responses[status] ??= { description: 'problem details', content: { 'application/problem+json': { schema: ProblemSchema } } };
    }
    const body = spec.requestContent ?? (spec.body ? { 'application/json': { schema: spec.body } } : undefined);
    this.registry.registerPath({
      method: spec.method,
      path: spec.path.replace(/:(\w+)/g, '{$1}'),
      summary: spec.summary,
      description: `Roles: ${spec.roles.join(', ')}`,
      security: [{ bearerAuth: [] }],
      request: {
        ...(spec.params ? { params: spec.params as z.ZodObject } : {}),
        ...(spec.query ? { query: spec.query as z.ZodObject } : {}),
        ...(body ? { body: { content: body } } : {}),
      },
      responses,
    });
  }
}
