/**
 * The milestone workflow's contract: what the API and the project workflow may send it, and what it answers.
 * Imported by the API and by workflow code; holds no implementation.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor, Party, PartyInfo } from '../shared';

export const MILESTONE_STATES = [
  'awaiting_deposit',
  'funded',
  'delivered',
  'disputed',
  'released',
  'payment_requested',
  'paid',
  'refunded',
  'cancelled',
] as const;
export type MilestoneState = (typeof MILESTONE_STATES)[number];
export const FINAL_STATES: readonly MilestoneState[] = ['paid', 'refunded', 'cancelled'];
export const isFinal = (state: MilestoneState): boolean => FINAL_STATES.includes(state);

export const milestoneWorkflowId = (milestoneId: string): string => `milestone:${milestoneId}`;

/** Durations in milliseconds, fixed when the milestone starts so a running milestone keeps its terms. */
export interface MilestoneTiming {
  payoutDelayMs: number;
  payoutCalendar: 'business' | 'any';
}

export interface MilestoneInput {
  projectId: string;
  projectTitle: string;
  milestoneId: string;
  title: string;
  amount: number;
  currency: string;
  client: PartyInfo;
  provider: PartyInfo;
  timing: MilestoneTiming;
}

export interface PaymentRequestView {
  id: string;
  invoiceId: string;
  invoiceNumber: string;
  amount: number;
  scheduledFor: string;
  payoutId?: string;
}

export interface MilestoneStatus {
  milestoneId: string;
  projectId: string;
  state: MilestoneState;
  amount: number;
  currency: string;
  deposited: number;
  released: number;
  refunded: number;
  inEscrow: number;
  cancelRequestedBy: Party[];
  paymentRequest?: PaymentRequestView;
}

export interface ActorArgs {
  actor: Actor;
}

export interface CancelResult {
  /** `pending`: this party's request is recorded and waits for the other party (after funding). */
  outcome: 'cancelled' | 'pending' | 'refunded';
  status: MilestoneStatus;
}

export interface PaymentRequestArgs extends ActorArgs {
  paymentRequestId: string;
  invoiceId: string;
  invoiceNumber: string;
  amount: number;
}

export interface DepositArgs {
  eventId: string;
  amount: number;
  currency: string;
  reference: string;
}

export interface PayoutSettledArgs {
  eventId: string;
  payoutId: string;
  outcome: 'paid' | 'failed';
  reason?: string;
}

export const completeUpdate = defineUpdate<MilestoneStatus, [ActorArgs]>('complete');
export const releaseUpdate = defineUpdate<MilestoneStatus, [ActorArgs]>('release');
export const cancelUpdate = defineUpdate<CancelResult, [ActorArgs]>('cancel');
export const requestPaymentUpdate = defineUpdate<MilestoneStatus, [PaymentRequestArgs]>('requestPayment');

/** Facts from the payment provider's webhooks: they cannot be refused, only recorded. */
export const depositReceivedSignal = defineSignal<[DepositArgs]>('depositReceived');
export const payoutSettledSignal = defineSignal<[PayoutSettledArgs]>('payoutSettled');

export const statusQuery = defineQuery<MilestoneStatus>('status');
