import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { BearerRouteKey, ResourceOf } from './access-policy';
import type { Resources } from './access';
import type { AuthUser } from './middleware/auth';

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

/**
 * A documented response: JSON described by its schema, a document of another type (HTML) sent as text, or one
 * document in several types the caller chooses with Accept (a PDF or an HTML page), text or bytes.
 */
export type ResponseDoc =
  | { description: string; schema: z.ZodType }
  | { description: string; contentType: string }
  | { description: string; contentTypes: readonly string[]; /** the schema of its application/json form */ json?: z.ZodType };
export type Responses = Record<number, ResponseDoc>;

/** What a handler returns: one of its route's documented statuses, with the body that status documents. */
export type RouteResult<R extends Responses> = {
  [S in keyof R & number]: R[S] extends { schema: infer Z extends z.ZodType }
    ? { status: S; body: z.input<Z> }
    : R[S] extends { contentTypes: readonly string[] }
      ? { status: S; raw: string | Uint8Array; contentType: R[S]['contentTypes'][number] }
      : { status: S; raw: string };
}[keyof R & number];

export interface RouteSpec<K extends BearerRouteKey, P extends z.ZodType, B extends z.ZodType, Q extends z.ZodType, R extends Responses> {
  /** the route's row in ACCESS_POLICY: method, path, roles and relation */
  route: K;
  summary: string;
  params?: P;
  body?: B;
  /** the body may be left out (a bodiless POST), as if `{}` were sent: every field of `body` is optional */
  bodyOptional?: boolean;
  query?: Q;
  /** middleware that runs before validation (multipart parsing) */
  before?: RequestHandler[];
  /** documented request content when it is not JSON */
  requestContent?: Record<string, { schema: z.ZodType }>;
  /** the statuses a success answers with; problems (4xx, 503) are documented for every route */
  responses: R;
}

/**
 * A route's handler: it answers one of the statuses its route documents, with the body that status's schema takes.
 * (Given apart from the spec so that TypeScript knows the statuses before it types what the handler returns.)
 */
export type RouteHandler<K extends BearerRouteKey, P extends z.ZodType, B extends z.ZodType, Q extends z.ZodType, R extends Responses> = (
  ctx: RouteContext<K, z.infer<P>, z.infer<B>, z.infer<Q>>,
) => RouteResult<R> | Promise<RouteResult<R>>;

/** A route's description, whatever its schemas. */
export type RouteShape = RouteSpec<BearerRouteKey, z.ZodType, z.ZodType, z.ZodType, Responses>;
