import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { ProjectRow } from '../db/projects';
import { endedIsIgnored } from '../lib/workflow-signals';
import { depositReceivedSignal, milestoneWorkflowId } from '../workflows/milestone/contract';
import { refundWorkflowId, strayDepositRefundId } from '../workflows/refund/contract';

export interface ArrivedDeposit {
  project: ProjectRow;
  milestoneId: string;
  /** the payment provider's event: each is applied once */
  eventId: string;
  amount: number;
  /** the provider's reference of the payment (Stripe: the PaymentIntent, which a stray deposit's refund goes back to) */
  reference: string;
}

/**
 * Money arrived for a milestone, from whichever rail: the milestone takes it, or, when the milestone has ended
 * (cancelled, refunded, paid), it is recorded and goes back to the client.
 */
export async function deliverDeposit(temporal: Client, taskQueue: string, d: ArrivedDeposit): Promise<'applied' | 'refunded: the milestone had ended'> {
  const { project, milestoneId, eventId, amount, reference } = d;
  const signal = temporal.workflow.getHandle(milestoneWorkflowId(milestoneId)).signal(depositReceivedSignal, { eventId, amount, currency: project.currency, reference });
  if (await endedIsIgnored(signal)) return 'applied';
  const refundId = strayDepositRefundId(milestoneId, eventId);
  await temporal.workflow
    .start('refundWorkflow', {
      workflowId: refundWorkflowId(refundId),
      taskQueue,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [{ refundId, projectId: project.id, milestoneId, client: { id: project.client.id }, amount, currency: project.currency, reason: 'deposit_after_end', strayDeposit: { eventId, reference } }],
    })
    .catch((err) => {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    });
  return 'refunded: the milestone had ended';
}
