import type { UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import type { FailureType } from '../domain/failures';

/** Refuses an update in its validator: a typed, non-retryable failure that the API maps to its HTTP status. */
export const refuse = (type: FailureType, message: string): never => {
  throw ApplicationFailure.nonRetryable(message, type);
};

/* eslint-disable @typescript-eslint/no-explicit-any -- matching any update definition, as the SDK's own types do */
type ArgsOf<T> = T extends UpdateDefinition<any, infer Args> ? Args : never;
type ResultOf<T> = T extends UpdateDefinition<infer Ret, any> ? Ret : never;

/**
 * setHandler for an update, with its validator typed by the update's definition (the SDK's overload leaves the
 * validator's arguments `any`). Validators run synchronously and refuse with `refuse()`.
 */
export function handleUpdate<T extends UpdateDefinition<any, any>>(
  def: T,
  handler: (...args: ArgsOf<T>) => ResultOf<T> | Promise<ResultOf<T>>,
  options: { validator: (...args: ArgsOf<T>) => void },
): void {
  setHandler(def, handler as never, options as never);
}
/* eslint-enable @typescript-eslint/no-explicit-any */
