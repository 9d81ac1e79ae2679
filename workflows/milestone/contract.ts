/**
 * The milestone workflow's contract: what the API and the project workflow may send it, and what it answers.
 * Imported by the API and by workflow code; holds no implementation.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DisputeView } from '../../domain/dispute';
import type { FeeRates } from '../../domain/fees';
import type { ClientSilencePolicy, MilestoneState } from '../../domain/milestone';
import type { Actor, Party, PartyRef } from '../../domain/parties';

export const milestoneWorkflowId = (milestoneId: string): string => `milestone:${milestoneId}`;

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
  /** the payment provider keeps held funds a limited time: staff are alarmed this long after funding (Stripe only) */
  fundsHoldAlarmMs?: number;
  /** requests for changes after which the next one suggests mediation; absent in runs started before: 3 */
  changeRoundsBeforeMediation?: number;
}

export interface MilestoneInput {
  projectId: string;
  projectTitle: string;
  /** the platform's own id of the project; absent in runs started before it was carried */
  projectExternalId?: string;
  milestoneId: string;
  title: string;
  amount: number;
  currency: string;
  client: PartyRef;
  provider: PartyRef;
  timing: MilestoneTiming;
  fees: FeeRates;
  /** a bonus: a payment on top of the milestones, released to the provider as soon as it is funded */
  kind?: 'bonus';
  /** a bonus's message from the client */
  message?: string;
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
  /** when the payout was confirmed */
  paidAt?: string;
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
  /** the latest payment request */
  paymentRequest?: PaymentRequestView;
  /** every payment request, oldest first (one per release that was invoiced) */
  paymentRequests: PaymentRequestView[];
  /** released and not yet in a payment request: what the provider's next invoice is for */
  requestable: number;
  /** how many times the client asked for changes to a delivery */
  changeRounds: number;
  kind: 'milestone' | 'bonus';
  disputeId?: string;
  /** the open chargebacks (incident ids) that freeze the parties' actions */
  frozenBy?: string[];
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

export interface ReleaseArgs extends ActorArgs {
  /** part of the escrow; absent: all of it */
  amount?: number;
}

export interface RequestChangesArgs extends ActorArgs {
  message: string;
}

export interface ProviderRefundArgs extends ActorArgs {
  amount: number;
  reason: string;
}

export interface RetryPayoutArgs extends ActorArgs {
  /** the failed request to pay again; absent in calls made before a milestone could have several */
  paymentRequestId?: string;
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

/** A chargeback on one of the milestone's deposits, as the payment provider reports it (Stripe: a Dispute). */
export interface ChargebackArgs {
  eventId: string;
  incidentId: string;
  /** the payment provider's id of the chargeback */
  chargebackId: string;
  phase: 'opened' | 'won' | 'lost' | 'closed';
  /** what the client's bank disputes, escrow and escrow fee of that deposit together */
  amount: number;
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
export const retryPayoutUpdate = defineUpdate<MilestoneStatus, [RetryPayoutArgs]>('retryPayout');

export const completeUpdate = defineUpdate<MilestoneStatus, [ActorArgs]>('complete');
export const releaseUpdate = defineUpdate<MilestoneStatus, [ReleaseArgs]>('release');
export const requestChangesUpdate = defineUpdate<MilestoneStatus, [RequestChangesArgs]>('requestChanges');
export const refundByProviderUpdate = defineUpdate<MilestoneStatus, [ProviderRefundArgs]>('refundByProvider');
export const cancelUpdate = defineUpdate<CancelResult, [ActorArgs]>('cancel');
export const requestPaymentUpdate = defineUpdate<MilestoneStatus, [PaymentRequestArgs]>('requestPayment');

/** Facts from the payment provider's webhooks: they cannot be refused, only recorded. */
export const depositReceivedSignal = defineSignal<[DepositArgs]>('depositReceived');
export const payoutSettledSignal = defineSignal<[PayoutSettledArgs]>('payoutSettled');
export const chargebackSignal = defineSignal<[ChargebackArgs]>('chargeback');

export const statusQuery = defineQuery<MilestoneStatus>('status');
