import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import type { WorkflowClientInterceptor } from '@temporalio/client';

/** The request being served, for what runs on its behalf without being handed it (the Temporal client). */
const context = new AsyncLocalStorage<{ requestId: string }>();

/** A caller's X-Request-Id is kept when it is a plain token; otherwise (or without one) the API makes one. */
const CALLER_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const requestIdFrom = (header: string | undefined): string => (header && CALLER_ID.test(header) ? header : `req_${randomUUID()}`);

export const runWithRequestId = <T>(requestId: string, fn: () => T): T => context.run({ requestId }, fn);

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
    startUpdate: (input, next) => next(withId(input)),
  };
}
