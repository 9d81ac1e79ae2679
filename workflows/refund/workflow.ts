import { allHandlersFinished, condition, patched, setHandler } from '@temporalio/workflow';
import { FailureType } from '../../domain/failures';
import { activities } from '../activities/proxies';
import { publish } from '../search-attributes';
import { handleUpdate, refuse } from '../updates';
import {
  refundSettledSignal,
  refundStatusQuery,
  retryRefundUpdate,
  type RefundInput,
  type RefundSettledArgs,
  type RefundStatus,
} from './contract';

/** Orders a refund through the payment provider and waits for its confirmation; a failed one waits for staff to retry. */
export async function refundWorkflow(input: RefundInput): Promise<RefundStatus> {
  let status: RefundStatus = { refundId: input.refundId, state: 'ordered', attempt: 0 };
  let settlement: RefundSettledArgs | undefined;
  let retry = false;
  const seen = new Set<string>();

  if (patched('search-attributes')) publish({ ProjectId: input.projectId, ClientId: input.client.id });
  setHandler(refundStatusQuery, () => status);
  setHandler(refundSettledSignal, (s) => {
    if (seen.has(s.eventId) || status.state !== 'ordered' || settlement) return;
    if (s.attempt !== undefined && s.attempt !== status.attempt) return;
    seen.add(s.eventId);
    settlement = s;
  });
  handleUpdate(
    retryRefundUpdate,
    () => {
      retry = true;
      status = { ...status, state: 'ordered' };
      return status;
    },
    {
      validator: () => {
        if (status.state !== 'failed') refuse(FailureType.InvalidState, `the refund is ${status.state}, not failed`);
      },
    },
  );

  // the client by id only, even for a run whose input carries the address (started before issue 15)
  const refund = { ...input, client: { id: input.client.id } };
  if (input.strayDeposit) await activities.recordStrayDeposit(refund);
  for (;;) {
    const attempt = status.attempt + 1;
    status = { refundId: input.refundId, state: 'ordered', attempt };
    const receipt = await activities.orderRefund({ ...refund, attempt });
    if (receipt.status === 'paid') settlement ??= { eventId: `gateway:${input.refundId}:${attempt}`, outcome: 'paid' };
    await condition(() => settlement !== undefined);
    const { outcome, reason } = settlement!;
    settlement = undefined;
    if (outcome === 'failed') {
      // Failed from now on, before the bookkeeping: staff may order it again as soon as they see it.
      retry = false;
      status = { ...status, state: 'failed', failureReason: reason ?? 'unspecified' };
    }
    await activities.settleRefund({ ...refund, attempt, outcome, reason: reason ?? 'unspecified' });
    if (outcome === 'paid') {
      status = { ...status, state: 'paid' };
      break;
    }
    await condition(() => retry);
  }
  await condition(allHandlersFinished);
  return status;
}
