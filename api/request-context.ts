import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomUUID } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { newId } from '../lib/ids';

/**
 * The request being served, for what runs on its behalf without being handed it (the Temporal client, the ids it
 * makes). `seed`, under an Idempotency-Key, makes those ids the same on every attempt of the same request.
 */
interface RequestContext {
  requestId: string;
  seed?: string;
  drawn: Map<string, number>;
}
const context = new AsyncLocalStorage<RequestContext>();

/** A caller's X-Request-Id is kept when it is a plain token; otherwise (or without one) the API makes one. */
const CALLER_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const requestIdFrom = (header: string | undefined): string => (header && CALLER_ID.test(header) ? header : `req_${randomUUID()}`);

export const runWithRequestId = <T>(requestId: string, fn: () => T): T => context.run({ requestId, drawn: new Map() }, fn);

/**
 * Runs one attempt of a request sent with an Idempotency-Key: every id and update id drawn inside is derived from
 * `seed` (the caller, the key and the request's fingerprint), so a retry after a crash names the same project,
 * payment request or Temporal update as the attempt it repeats, and Temporal deduplicates what was already sent.
 */
export function runAttempt<T>(seed: string, fn: () => T): T {
  const requestId = context.getStore()?.requestId ?? `req_${randomUUID()}`;
  return context.run({ requestId, seed, drawn: new Map() }, fn);
}

/** The n-th value of `kind` drawn by this attempt: derived from its seed, or random outside an Idempotency-Key. */
function draw(kind: string): string | undefined {
  const store = context.getStore();
  if (!store?.seed) return undefined;
  const n = (store.drawn.get(kind) ?? 0) + 1;
  store.drawn.set(kind, n);
  return createHash('sha256').update(`${store.seed}\n${kind}\n${n}`).digest('base64url').slice(0, 16);
}

/** A new id (`prj_…`, `pr_…`): the same on every attempt of one idempotent request. */
export const requestScopedId = (prefix: string): string => {
  const derived = draw(`id:${prefix}`);
  return derived ? `${prefix}_${derived}` : newId(prefix);
};

/** Header of every workflow start, signal and update the API sends: the Web UI shows it on the event. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Adds the current request's id to what the API sends to Temporal, so a request can be followed into a workflow's history. */
export function requestIdInterceptor(): WorkflowClientInterceptor {
  const withId = <I extends { headers: Record<string, unknown> }>(input: I): I => {
    const requestId = context.getStore()?.requestId;
    return requestId ? { ...input, headers: { ...input.headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) } } : input;
  };
  return {
    start: (input, next) => next(withId(input)),
    startWithDetails: (input, next) => next(withId(input)),
    signal: (input, next) => next(withId(input)),
    signalWithStart: (input, next) => next(withId(input)),
    startUpdate: (input, next) => {
      const updateId = input.options.updateId ?? draw(`update:${input.updateName}`);
      return next(withId(updateId ? { ...input, options: { ...input.options, updateId } } : input));
    },
    startUpdateWithStart: (input, next) => {
      const updateId = input.updateOptions.updateId ?? draw(`update:${input.updateName}`);
      return next(updateId ? { ...input, updateOptions: { ...input.updateOptions, updateId } } : input);
    },
  };
}
