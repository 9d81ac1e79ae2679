/** The refund workflow's contract: one per refund order to a client's bank, from order to confirmation. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PartyRef } from '../../domain/parties';

export const refundWorkflowId = (refundId: string): string => `refund:${refundId}`;

/** The n-th refund a milestone orders (n = 1, 2, …): `rf_<milestoneId>_<n>`. */
export const milestoneRefundId = (milestoneId: string, n: number): string => `rf_${milestoneId}_${n}`;

/** The refund of a deposit that arrived after its milestone ended, one per payment-provider event (at most 174 long). */
export const strayDepositRefundId = (milestoneId: string, eventId: string): string => `rf_${milestoneId}_stray_${eventId}`;

/** The longest refund id: a stray deposit's, from a 64-character milestone id and a 100-character event id. */
export const REFUND_ID_MAX_LENGTH = 200;

export interface RefundInput {
  refundId: string;
  projectId: string;
  milestoneId: string;
  client: PartyRef;
  /** minor units, escrow part and any escrow fee refunded with it */
  amount: number;
  currency: string;
  reason: string;
  /** a deposit that arrived for a milestone that had already ended: recorded (all excess) before it is refunded */
  strayDeposit?: { eventId: string; reference: string };
}

export interface RefundSettledArgs {
  eventId: string;
  outcome: 'paid' | 'failed';
  reason?: string;
  /** the order attempt the provider's event is about, when it says: a late event about an earlier attempt is ignored */
  attempt?: number;
}

export interface RefundStatus {
  refundId: string;
  state: 'ordered' | 'paid' | 'failed';
  attempt: number;
  failureReason?: string;
}

export const refundSettledSignal = defineSignal<[RefundSettledArgs]>('refundSettled');
/** Finance staff order the refund again (after the client fixed their bank details). */
export const retryRefundUpdate = defineUpdate<RefundStatus>('retryRefund');
export const refundStatusQuery = defineQuery<RefundStatus>('refundStatus');
