import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ZodError } from 'zod';
import { FailureType } from '../domain/failures';

/** RFC 9457 problem details. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
}

const TITLES: Record<number, string> = {
  400: 'Invalid input',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict with the current state',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Refused by a business rule',
  429: 'Too many requests',
  503: 'Service unavailable',
};

const typeUri = (slug: string) => `https://errors.escrow.example/${slug}`;

/** A refusal with its HTTP status; thrown by routes and turned into problem+json by the error middleware. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly slug: string = slugFor(status),
    readonly errors?: Problem['errors'],
    /** sent with the problem, e.g. Retry-After */
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
  }
}

function slugFor(status: number): string {
  return (TITLES[status] ?? 'error').toLowerCase().replace(/[^a-z]+/g, '-');
}

// A ledger refusal fails an activity, never an update: it has no status.
const FAILURE_STATUS: { [T in FailureType]?: [number, string?] } = {
  [FailureType.InvalidState]: [409],
  [FailureType.NotAllowed]: [403],
  [FailureType.BusinessRule]: [422],
  [FailureType.LimitReached]: [409, 'limit-reached'],
  [FailureType.PaymentIncident]: [409, 'payment-incident'],
};

/** Body-parser and multer errors carry a `type` or `code` that says which client mistake it was. */
const PARSER_ERRORS: Record<string, [number, string]> = {
  // express.json is strict: a bare string or number is refused like broken JSON
  'entity.parse.failed': [400, 'the body is not a JSON object (or array)'],
  'entity.too.large': [413, 'the body is too large'],
  'encoding.unsupported': [415, 'unsupported content encoding'],
  'charset.unsupported': [415, 'unsupported charset'],
  'entity.verify.failed': [400, 'the body could not be read'],
  'request.aborted': [400, 'the request was aborted'],
  LIMIT_FILE_SIZE: [413, 'the file is too large'],
  LIMIT_FILE_COUNT: [400, 'only one file may be sent'],
  LIMIT_UNEXPECTED_FILE: [400, 'unexpected file field (expected "invoice")'],
  LIMIT_FIELD_VALUE: [413, 'a form field is too large'],
  LIMIT_FIELD_COUNT: [400, 'too many form fields'],
  LIMIT_PART_COUNT: [400, 'too many form parts'],
  LIMIT_FIELD_KEY: [400, 'a form field name is too long'],
  MALFORMED_MULTIPART: [400, 'malformed multipart body'],
};

export function toProblem(err: unknown): { problem: Problem; unexpected: boolean } {
  const make = (status: number, detail: string, slug = slugFor(status), errors?: Problem['errors']) => ({
    problem: { type: typeUri(slug), title: TITLES[status] ?? 'Error', status, detail, ...(errors ? { errors } : {}) },
    unexpected: false,
  });
  if (err instanceof HttpProblem) return make(err.status, err.message, err.slug, err.errors);
  if (err instanceof ZodError) {
    const errors = err.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
    return make(400, `${errors.length} invalid field(s): ${errors.map((e) => e.path).join(', ')}`, 'invalid-input', errors);
  }
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const mapped = FAILURE_STATUS[err.cause.type as FailureType];
    if (mapped) return make(mapped[0], err.cause.message, mapped[1]);
  }
  // An update or signal for a workflow that has completed: the server answers NOT_FOUND, which the SDK types.
  if (err instanceof WorkflowNotFoundError) {
    const [kind] = err.workflowId.split(':');
    if (kind === 'project') return make(409, 'this project has ended and accepts no further amendment', 'project-closed');
    if (kind === 'refund') return make(409, 'this refund has ended: there is nothing to retry', 'refund-closed');
    return make(409, 'this milestone has reached a final state and accepts no further action', 'milestone-closed');
  }
  // Stripe refused what the API asked of it for this request (e.g. cancelling an intent that is being paid): the
  // state at Stripe conflicts; its own outage is a 503 like any dependency's. Told by shape: the SDK's classes may
  // come from another module instance.
  const stripe = err as { type?: unknown; statusCode?: unknown; message?: string };
  if (typeof stripe?.type === 'string' && stripe.type.startsWith('Stripe') && typeof stripe.statusCode === 'number' && stripe.statusCode < 500) {
    return make(409, `the payment provider refused: ${stripe.message ?? stripe.type}`, 'payment-provider-refused');
  }
  const tagged = err as { type?: string; code?: string; status?: number };
  const known = PARSER_ERRORS[tagged?.type ?? ''] ?? PARSER_ERRORS[tagged?.code ?? ''];
  if (known) return make(known[0], known[1]);
  if (typeof tagged?.status === 'number' && tagged.status >= 400 && tagged.status < 500) {
    return make(tagged.status, TITLES[tagged.status] ?? 'invalid request');
  }
  // Anything else is a failing dependency (database, Temporal) or a bug: say so without internals, and log it.
  return { ...make(503, 'the service could not complete the request; retry later'), unexpected: true };
}
