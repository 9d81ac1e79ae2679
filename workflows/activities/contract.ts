/**
 * What the workflows ask of the outside world: every activity, as the interface that activities/ implements
 * (createActivities) and that workflows call through ./proxies.ts. Types only: no implementation is imported here.
 */
import type { DisputeText, DisputeView } from '../../domain/dispute';
import type { FeeKind } from '../../domain/fees';
import type { Posting } from '../../domain/ledger';
import type { TimelineEvent } from '../../domain/milestone';
import type { NoticeData, NotificationKind } from '../../domain/notifications';
import type { Party, PartyRef } from '../../domain/parties';
import type { TransferReceipt } from '../../domain/payment-provider';
import type { ScheduledPaymentRequest } from '../../domain/payments';
import type { AmendArgs, MilestoneStatus } from '../milestone/contract';
import type { RefundInput } from '../refund/contract';

export interface NoticeRequest {
  /** unique per notice: a retried activity sends it and adds it to the feed once */
  key: string;
  template: NotificationKind;
  to: PartyRef;
  /** the side `to` is on: the activity reads the address from the project (absent in runs whose `to` has it) */
  party?: Party;
  data: NoticeData;
  refs: { projectId: string; milestoneId: string; disputeId?: string };
  /** a reminder: dropped if the milestone's read model has left this state by the time the activity runs */
  onlyWhileState?: string;
}

/** A message to the finance staff (failed payouts and refunds need a human). */
export interface StaffNotice {
  key: string;
  subject: string;
  text: string;
}

export interface PayoutRequest {
  paymentRequestId: string;
  attempt: number;
  projectId: string;
  milestoneId: string;
  providerId: string;
  /** what the provider's bank receives, net of commission */
  amount: number;
  currency: string;
}

export interface PayoutSettlement extends PayoutRequest {
  payoutId: string;
  outcome: 'paid' | 'failed';
  reason?: string;
}

export interface FeeInvoiceRequest {
  key: string;
  kind: FeeKind;
  projectId: string;
  milestoneId: string;
  party: Party;
  recipient: PartyRef;
  amount: number;
  base: number;
  currency: string;
}

export type RefundAttempt = RefundInput & { attempt: number };
export type RefundSettlement = RefundAttempt & { outcome: 'paid' | 'failed'; reason?: string };

/** An agreed amendment applied to one milestone; a refusal by the milestone is an answer, not a failure. */
export type AmendOutcome = { ok: true; status: MilestoneStatus } | { ok: false; reason: string };

export interface Activities {
  recordEvent(event: TimelineEvent): Promise<void>;
  moveMoney(posting: Posting): Promise<void>;
  /** One notice to one party: an entry in their in-app feed and an e-mail, each at most once per key. */
  notify(request: NoticeRequest): Promise<void>;
  notifyStaff(notice: StaffNotice): Promise<void>;
  /** `texts`: the file's texts not carried by an earlier snapshot (the snapshot itself is lean) */
  saveDispute(dispute: DisputeView, texts?: DisputeText[]): Promise<void>;
  /** undefined: nothing to invoice (the escrow fee was invoiced when paid) */
  issueFeeInvoice(request: FeeInvoiceRequest): Promise<{ id: string; number: string } | undefined>;
  schedulePaymentRequest(request: ScheduledPaymentRequest): Promise<void>;
  orderPayout(request: PayoutRequest): Promise<TransferReceipt>;
  settlePayout(settlement: PayoutSettlement): Promise<void>;
  /** Money that arrived for a milestone that had ended: in the ledger as excess, owed back to the client. */
  recordStrayDeposit(refund: RefundInput): Promise<void>;
  orderRefund(attempt: RefundAttempt): Promise<TransferReceipt>;
  settleRefund(settlement: RefundSettlement): Promise<void>;
  finishProject(projectId: string): Promise<void>;
  setMilestoneAmount(change: { milestoneId: string; amount: number }): Promise<void>;
  addMilestone(milestone: { projectId: string; milestoneId: string; title: string; amount: number; kind?: 'milestone' | 'bonus' }): Promise<void>;
  amendMilestone(amendment: { milestoneId: string } & AmendArgs): Promise<AmendOutcome>;
}
