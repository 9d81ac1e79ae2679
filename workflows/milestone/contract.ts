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

export const CLIENT_SILENCE_POLICIES = ['notify_provider', 'open_dispute', 'auto_release'] as const;
/** What happens when the release reminders are exhausted and the client is still silent. */
export type ClientSilencePolicy = (typeof CLIENT_SILENCE_POLICIES)[number];

/** Durations in milliseconds, fixed when the milestone starts so a running milestone keeps its terms. */
export interface MilestoneTiming {
  payoutDelayMs: number;
  payoutCalendar: 'business' | 'any';
  /** offsets from the milestone's start */
  depositReminderMs: number[];
  /** offsets from delivery */
  releaseReminderMs: number[];
  clientSilencePolicy: ClientSilencePolicy;
  /** from the last release reminder to the client-silence policy */
  clientSilenceGraceMs: number;
  disputeResponseWindowMs: number;
  /** offsets from the opening of a dispute (or of a mediator's information request) */
  disputeReminderMs: number[];
}

/** Fee rates in parts per million, fixed per project at creation. */
export interface FeeRates {
  commissionPpm: number;
  escrowFeePpm: number;
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
  fees: FeeRates;
}

export interface PaymentRequestView {
  id: string;
  invoiceId: string;
  invoiceNumber: string;
  /** the invoice's amount: what was released */
  amount: number;
  /** what the provider's bank receives: the amount less the commission */
  payoutAmount: number;
  scheduledFor: string;
  /** payout attempts so far; a failed one waits for the provider's retry */
  attempt: number;
  payoutId?: string;
  failed?: { reason: string; at: string };
}

export const DISPUTE_STATES = ['open', 'escalated', 'settled', 'decided', 'withdrawn'] as const;
export type DisputeState = (typeof DISPUTE_STATES)[number];
export const isDisputeActive = (state: DisputeState): boolean => state === 'open' || state === 'escalated';

export interface DisputeStatement {
  by: Party | 'mediator';
  userId: string;
  kind: 'opening' | 'response' | 'information_answer';
  text: string;
  at: string;
}

export interface DisputeProposal {
  id: string;
  by: Party;
  providerAmount: number;
  clientAmount: number;
  at: string;
  state: 'pending' | 'accepted' | 'superseded';
}

export interface InformationRequest {
  id: string;
  party: Party;
  question: string;
  by: string;
  at: string;
  deadline: string;
  answeredAt?: string;
  /** set when the deadline passed without an answer */
  expiredAt?: string;
}

export interface DisputeReminder {
  to: Party;
  about: 'response' | 'information';
  n: number;
  at: string;
}

export interface DisputeView {
  id: string;
  milestoneId: string;
  projectId: string;
  state: DisputeState;
  openedBy: Party;
  /** true when the platform opened it on the provider's behalf (client-silence policy) */
  openedAutomatically: boolean;
  reason: string;
  /** the party invited to respond */
  respondent: Party;
  openedAt: string;
  responseDeadline: string;
  escalatedAt?: string;
  closedAt?: string;
  /** the milestone's state before the dispute, where a withdrawal returns it */
  previousState: MilestoneState;
  inEscrow: number;
  currency: string;
  statements: DisputeStatement[];
  proposals: DisputeProposal[];
  informationRequests: InformationRequest[];
  reminders: DisputeReminder[];
  decision?: { providerAmount: number; clientAmount: number; rationale: string; by: string; at: string };
  settlement?: { proposalId: string; providerAmount: number; clientAmount: number; at: string };
  /** increases with every change, so the read model keeps the latest snapshot */
  version: number;
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
  /** escrow fee due on the current amount, and how much of it the client paid and was not refunded */
  escrowFeeDue: number;
  escrowFeeHeld: number;
  /** still to deposit for the milestone to be funded: amount and escrow fee */
  dueNow: number;
  commission: number;
  cancelRequestedBy: Party[];
  paymentRequest?: PaymentRequestView;
  disputeId?: string;
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

export interface OpenDisputeArgs extends ActorArgs {
  reason: string;
  statement: string;
}
/** Every action on a dispute names it: an action meant for a dispute that has ended never lands on a newer one. */
export interface DisputeActorArgs extends ActorArgs {
  disputeId: string;
}
export interface StatementArgs extends DisputeActorArgs {
  statement: string;
}
export interface ProposalArgs extends DisputeActorArgs {
  providerAmount: number;
}
export interface AcceptProposalArgs extends DisputeActorArgs {
  proposalId: string;
}
export interface InformationRequestArgs extends DisputeActorArgs {
  party: Party;
  question: string;
}
export interface DecisionArgs extends DisputeActorArgs {
  providerAmount: number;
  clientAmount: number;
  rationale: string;
}

export const openDisputeUpdate = defineUpdate<DisputeView, [OpenDisputeArgs]>('openDispute');
export const respondToDisputeUpdate = defineUpdate<DisputeView, [StatementArgs]>('respondToDispute');
export const proposeSettlementUpdate = defineUpdate<DisputeView, [ProposalArgs]>('proposeSettlement');
export const acceptProposalUpdate = defineUpdate<DisputeView, [AcceptProposalArgs]>('acceptProposal');
export const requestInformationUpdate = defineUpdate<DisputeView, [InformationRequestArgs]>('requestInformation');
export const decideDisputeUpdate = defineUpdate<DisputeView, [DecisionArgs]>('decideDispute');
export const withdrawDisputeUpdate = defineUpdate<DisputeView, [DisputeActorArgs]>('withdrawDispute');
export const disputeQuery = defineQuery<DisputeView | undefined>('dispute');

/** An amendment's change to one milestone, applied once both parties agreed (sent by the project workflow). */
export type MilestoneAmendment = { kind: 'amount'; amount: number } | { kind: 'remove' };
export interface AmendArgs {
  amendmentId: string;
  change: MilestoneAmendment;
}
export const amendUpdate = defineUpdate<MilestoneStatus, [AmendArgs]>('amend');
export const retryPayoutUpdate = defineUpdate<MilestoneStatus, [ActorArgs]>('retryPayout');

export const completeUpdate = defineUpdate<MilestoneStatus, [ActorArgs]>('complete');
export const releaseUpdate = defineUpdate<MilestoneStatus, [ActorArgs]>('release');
export const cancelUpdate = defineUpdate<CancelResult, [ActorArgs]>('cancel');
export const requestPaymentUpdate = defineUpdate<MilestoneStatus, [PaymentRequestArgs]>('requestPayment');

/** Facts from the payment provider's webhooks: they cannot be refused, only recorded. */
export const depositReceivedSignal = defineSignal<[DepositArgs]>('depositReceived');
export const payoutSettledSignal = defineSignal<[PayoutSettledArgs]>('payoutSettled');

export const statusQuery = defineQuery<MilestoneStatus>('status');
