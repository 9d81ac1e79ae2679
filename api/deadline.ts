import type { Client } from '@temporalio/client';

/** Runs `fn` with a deadline on every Temporal call it makes. */
export type Bounded = <T>(fn: () => Promise<T>) => Promise<T>;

/**
 * Every start, signal, update and query a request sends ends within `ms`: a Temporal server or a worker that is down
 * costs the caller that long and a 503 with Retry-After (the gRPC deadline error is not one we know), never a request
 * held open without limit. The same request sent again with its Idempotency-Key then finds what was done.
 */
export const boundedBy =
  (temporal: Client, ms: number): Bounded =>
  (fn) =>
    temporal.connection.withDeadline(Date.now() + ms, fn);
