import { z } from 'zod';
import { MILESTONE_STATES } from '../../domain/milestone';
import type { MilestoneStatus, PaymentRequestView } from '../../workflows/milestone/contract';
import { Amount as PositiveAmount, describes, Id, Text } from '../schemas/common';

export const MilestoneParams = z.object({ projectId: Id, milestoneId: Id });

export const ReleaseBody = z
  .strictObject({ amount: PositiveAmount.optional().meta({ description: 'part of the escrow to release; absent: all of it' }) })
  .meta({ id: 'Release' });
export const RequestChangesBody = z.strictObject({ message: Text(5000) }).meta({ id: 'RequestChanges' });
export const ProviderRefundBody = z
  .strictObject({
    amount: PositiveAmount.meta({ description: 'taken from the escrow first, then from what was released and not yet requested' }),
    reason: Text(2000),
  })
  .meta({ id: 'ProviderRefund' });

const Amount = z.number().int();

const MilestonePaymentRequest = describes<PaymentRequestView>()(
  z.strictObject({
    id: z.string(),
    invoiceId: z.string(),
    invoiceNumber: z.string(),
    amount: Amount.meta({ description: "the invoice's amount: what was released" }),
    payoutAmount: Amount.meta({ description: "what the provider's bank receives, net of commission" }),
    scheduledFor: z.string(),
    attempt: z.number().int().meta({ description: 'payout attempts so far' }),
    payoutId: z.string().optional(),
    failed: z.strictObject({ reason: z.string(), at: z.string() }).optional(),
    paidAt: z.string().optional().meta({ description: 'when the payout was confirmed' }),
  }).meta({ id: 'MilestonePaymentRequest' }),
);

export const MilestoneStatusView = describes<MilestoneStatus>()(
  z.strictObject({
    milestoneId: z.string(),
    projectId: z.string(),
    state: z.enum(MILESTONE_STATES),
    amount: Amount,
    currency: z.string(),
    deposited: Amount,
    released: Amount,
    refunded: Amount,
    inEscrow: Amount,
    escrowFeeDue: Amount,
    escrowFeeHeld: Amount,
    dueNow: Amount.meta({ description: 'still to deposit for the milestone to be funded (amount and escrow fee)' }),
    commission: Amount,
    cancelRequestedBy: z.array(z.enum(['client', 'provider'])),
    paymentRequest: MilestonePaymentRequest.optional().meta({ description: 'the latest payment request' }),
    paymentRequests: z.array(MilestonePaymentRequest).meta({ description: 'every payment request, oldest first: one per release invoiced' }),
    requestable: Amount.meta({ description: "released and not yet in a payment request: what the provider's next invoice is for" }),
    changeRounds: z.number().int().meta({ description: 'how many times the client asked for changes to a delivery' }),
    kind: z.enum(['milestone', 'bonus']),
    frozenBy: z.array(z.string()).optional().meta({ description: 'open chargebacks (payment incident ids) freezing the parties\' actions' }),
    disputeId: z.string().optional(),
  }).meta({ id: 'MilestoneStatus' }),
);

export const CancelledView = MilestoneStatusView.extend({
  outcome: z.enum(['cancelled', 'pending', 'refunded']).meta({ description: "`pending`: recorded, waits for the other party's cancel" }),
}).meta({ id: 'MilestoneCancel' });

export const TimelineView = z
  .strictObject({
    milestoneId: z.string(),
    events: z.array(
      z.strictObject({ seq: z.number(), type: z.string(), actor: z.string().nullable(), data: z.record(z.string(), z.unknown()), at: z.string() }),
    ),
  })
  .meta({ id: 'Timeline' });
