import { ApplicationFailure, allHandlersFinished, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { FailureType } from '../shared';
import {
  refundSettledSignal,
  refundStatusQuery,
  retryRefundUpdate,
  type RefundInput,
  type RefundSettledArgs,
  type RefundStatus,
} from './contract';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '1m', nonRetryableErrorTypes: ['LedgerRejected'] },
});

/** Orders a refund through the payment provider and waits for its confirmation; a failed one waits for staff to retry. */
export async function refundWorkflow(input: RefundInput): Promise<RefundStatus> {
  let status: RefundStatus = { refundId: input.refundId, state: 'ordered', attempt: 0 };
  let settlement: RefundSettledArgs | undefined;
  let retry = false;
  const seen = new Set<string>();

  setHandler(refundStatusQuery, () => status);
  setHandler(refundSettledSignal, (s) => {
    if (seen.has(s.eventId) || status.state !== 'ordered' || settlement) return;
    seen.add(s.eventId);
    settlement = s;
  });
  setHandler(
    retryRefundUpdate,
    () => {
      retry = true;
      status = { ...status, state: 'ordered' };
      return status;
    },
    {
      validator: () => {
        if (status.state !== 'failed') throw ApplicationFailure.nonRetryable(`the refund is ${status.state}, not failed`, FailureType.InvalidState);
      },
    },
  );

  if (input.strayDeposit) await acts.recordStrayDeposit(input);
  for (;;) {
    const attempt = status.attempt + 1;
    status = { refundId: input.refundId, state: 'ordered', attempt };
    const receipt = await acts.orderRefund({ ...input, attempt });
    if (receipt.status === 'paid') settlement ??= { eventId: `gateway:${input.refundId}:${attempt}`, outcome: 'paid' };
    await condition(() => settlement !== undefined);
    const { outcome, reason } = settlement!;
    settlement = undefined;
    if (outcome === 'failed') {
      // Failed from now on, before the bookkeeping: staff may order it again as soon as they see it.
      retry = false;
      status = { ...status, state: 'failed', failureReason: reason ?? 'unspecified' };
    }
    await acts.settleRefund({ ...input, attempt, outcome, reason: reason ?? 'unspecified' });
    if (outcome === 'paid') {
      status = { ...status, state: 'paid' };
      break;
    }
    await condition(() => retry);
  }
  await condition(allHandlersFinished);
  return status;
}
