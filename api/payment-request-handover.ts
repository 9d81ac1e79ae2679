import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { listUnhandedRequests, rejectRequest, type SubmittedRequest } from '../db/payment-requests';
import type { Db } from '../db/pool';
import type { Logger } from '../lib/logger';
import { milestoneWorkflowId, requestPaymentUpdate } from '../workflows/milestone/contract';
import type { Bounded } from './deadline';

/**
 * Gives a recorded payment request to its milestone's workflow. Its update id is the request's: sent again (the
 * upload retried, or the sweep below), Temporal answers with the first outcome instead of running it twice.
 */
export function handOver(temporal: Client, r: SubmittedRequest) {
  return temporal.workflow.getHandle(milestoneWorkflowId(r.milestone_id)).executeUpdate(requestPaymentUpdate, {
    updateId: `request-payment:${r.id}`,
    args: [{ actor: { userId: r.provider_id, role: 'provider' }, paymentRequestId: r.id, invoiceId: r.invoice_id, invoiceNumber: r.invoice_number, amount: r.amount }],
  });
}

/** How long a request may stay submitted before the sweep hands it over: longer than an upload may take. */
export const HANDOVER_AFTER_SECONDS = 30;

/**
 * The payment requests whose upload failed after they were recorded (Temporal down, the API killed): each is handed
 * over again, so that it completes by itself; refused by its workflow, it is rejected with the reason, which frees
 * its invoice number. Returns how many were handed over.
 */
export async function handOverUnhanded(deps: { db: Db; temporal: Client; bounded: Bounded; log: Logger }, olderThanSeconds = HANDOVER_AFTER_SECONDS): Promise<number> {
  const { db, temporal, bounded, log } = deps;
  let handed = 0;
  for (const request of await listUnhandedRequests(db, olderThanSeconds)) {
    try {
      await bounded(() => handOver(temporal, request));
      handed++;
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) await rejectRequest(db, request.id, err.cause?.message ?? 'refused');
      else if (err instanceof WorkflowNotFoundError) await rejectRequest(db, request.id, 'the milestone had reached a final state');
      else {
        log.warn({ err, paymentRequestId: request.id }, 'payment request not handed over yet; next sweep');
        break; // Temporal is not answering: the others would fail the same way
      }
    }
  }
  return handed;
}
