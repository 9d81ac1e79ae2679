import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import { FailureType } from '../../domain/failures';
import type { Activities } from './contract';

const RETRY = { initialInterval: '1s', maximumInterval: '1m', nonRetryableErrorTypes: [FailureType.LedgerRejected] };

/**
 * The activities as the milestone and refund workflows call them: ledger, read models, mail and payment orders,
 * retried until they succeed (an outage of the database, SMTP or the payment provider delays money, never loses
 * it), at most a minute apart. A ledger refusal is a bug in the movement, which no retry can fix.
 */
export const activities = proxyActivities<Activities>({ startToCloseTimeout: '30s', retry: RETRY });

/**
 * The same activities run by the worker that runs the workflow task, recorded as one marker instead of a task's
 * round trip through the server (three events, and most often a workflow task of three more): for the short
 * PostgreSQL writes a transition makes (timeline event, ledger movement, fee invoice), which are idempotent by their key, so the
 * re-run that follows a worker lost mid-task is harmless. Same retries; beyond a minute between attempts the SDK
 * waits on a timer between them.
 */
export const localActivities = proxyLocalActivities<Activities>({ startToCloseTimeout: '30s', retry: RETRY });

/**
 * The activities as the project workflow calls them. They differ because `amendMilestone` runs a Workflow Update on
 * a milestone and waits for that milestone's own effects (ledger movement, refund order), so each attempt gets a
 * minute; and they post no ledger movement, so they keep the SDK's default retry policy (unlimited attempts, at
 * most 100 s apart) that the project workflow was first recorded with.
 */
export const projectActivities = proxyActivities<Activities>({ startToCloseTimeout: '1m' });
