import { ApplicationFailure } from '@temporalio/workflow';
import type { FailureType } from '../domain/failures';

/** Refuses an update in its validator: a typed, non-retryable failure that the API maps to its HTTP status. */
export const refuse = (type: FailureType, message: string): never => {
  throw ApplicationFailure.nonRetryable(message, type);
};
