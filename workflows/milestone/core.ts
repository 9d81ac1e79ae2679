import { ParentClosePolicy, patched, startChild } from '@temporalio/workflow';
import { disputeTexts, leanDispute, type DisputeView } from '../../domain/dispute';
import { FailureType } from '../../domain/failures';
import { feeOn, type FeeKind } from '../../domain/fees';
import type { Movement } from '../../domain/ledger';
import type { MilestoneState } from '../../domain/milestone';
import type { NoticeData, NotificationKind } from '../../domain/notifications';
import { partyOf, type Actor, type Party, type PartyRef } from '../../domain/parties';
import type { Activities } from '../activities/contract';
import { activities, localActivities } from '../activities/proxies';
import { milestoneRefundId, refundWorkflowId } from '../refund/contract';
import { refundWorkflow } from '../refund/workflow';
import { refuse } from '../updates';
import { OrderedStarts, queued, SerialEffects } from '../serial';
import type { MilestoneInput, MilestoneStatus, PaymentRequestView, PayoutSettledArgs } from './contract';

/** What a notice may add to the milestone's own facts (title, amount, currency). */
type NoticeExtra = Omit<NoticeData, 'projectTitle' | 'milestoneTitle' | 'amount' | 'currency'>;

/**
 * A milestone's state and the side effects that follow its changes. State changes are synchronous (a validator
 * running next sees them); effects — ledger, read models — run one after another in the order queued. Notices run
 * in a queue of their own, so a mail outage never holds up money.
 */
export class MilestoneCore {
  state: MilestoneState = 'awaiting_deposit';
  /** workflow time (ms) at which the current state began */
  stateSince = Date.now();
  /** the current amount (amendments change it) */
  amount: number;
  /** all money received for the escrow, including any excess, the escrow fee apart */
  deposited = 0;
  /** released to the provider, net of what the provider gave back */
  released = 0;
  /** everything ever released: the release entries' keys (never repeated, even after money was given back) */
  private releasedGross = 0;
  /** released and not yet in a payment request, and the fees taken on that part */
  readonly unrequested = { amount: 0, commission: 0, escrowFee: 0 };
  readonly paymentRequests: PaymentRequestView[] = [];
  changeRounds = 0;
  /** what lost chargebacks took beyond the escrow: money released the client's bank gave back already */
  chargebackLoss = 0;
  /** left escrow back to the client, plus any excess deposit and what the provider gave back of what was released */
  refunded = 0;
  /** the escrow fee paid with the deposits and not yet earned or refunded */
  feeHeld = 0;
  commission = 0;
  readonly cancelRequestedBy = new Set<Party>();
  readonly seenEvents = new Set<string>();
  paymentRequest?: PaymentRequestView;
  /** payout outcomes by payout id, kept even when they arrive before the workflow learns the id it ordered */
  readonly payoutSettlements = new Map<string, PayoutSettledArgs>();
  /** open chargebacks (incident ids): the parties' actions wait for the bank's decision */
  readonly frozenBy = new Set<string>();
  /** chargebacks decided: a late event about one never freezes the milestone again */
  readonly closedChargebacks = new Set<string>();
  dispute?: DisputeView;
  /** disputes declared on this milestone so far, withdrawn ones included */
  disputesOpened = 0;
  /** `<disputeId>/<key>` of each dispute text a snapshot has carried to the read model */
  private readonly savedTexts = new Set<string>();
  readonly effects: SerialEffects;
  readonly notices: SerialEffects;
  private eventSeq = 0;
  private noticeSeq = 0;
  private refundSeq = 0;
  private givenBackSeq = 0;
  /**
   * Partial releases, several payment requests and payouts at once, provider refunds (issue 17). Runs recorded
   * before the patch keep one release, one payment request and the payout in the main loop.
   */
  readonly everydayMoves: boolean;
  /** timeline events and ledger movements as local activities (runs recorded before the patch keep activities) */
  private readonly writes: Pick<Activities, 'recordEvent' | 'moveMoney'>;
  /** fee invoices likewise, a patch later: runs recorded in between issue them as activities */
  private readonly invoices: Pick<Activities, 'issueFeeInvoice'>;

  constructor(readonly input: MilestoneInput) {
    this.amount = input.amount;
    // Runs recorded before the patch keep the start order they were recorded with (see SerialEffects).
    const inRounds = patched('effects-start-in-rounds');
    const writesLocal = patched('writes-as-local-activities');
    const invoicesLocal = patched('fee-invoices-as-local-activities');
    this.everydayMoves = patched('everyday-moves');
    // Runs recorded before this patch start rounds while a local activity runs (see OrderedStarts).
    const afterLocal = inRounds && patched('effects-start-after-local-activities');
    const starts = inRounds ? new OrderedStarts(afterLocal ? () => this.localActivitiesRunning === 0 : undefined) : undefined;
    this.effects = starts ? starts.queue() : new SerialEffects();
    this.notices = starts ? starts.queue() : new SerialEffects();
    const local = afterLocal ? this.counted(localActivities) : localActivities;
    this.writes = writesLocal ? local : activities;
    this.invoices = invoicesLocal ? local : activities;
  }

  /** local activities running now: rounds of effects wait until there are none */
  private localActivitiesRunning = 0;

  /** The local activities the milestone calls, each counted in `localActivitiesRunning` while it runs. */
  private counted(proxy: typeof localActivities): Pick<Activities, 'recordEvent' | 'moveMoney' | 'issueFeeInvoice'> {
    const count =
      <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        this.localActivitiesRunning += 1;
        try {
          return await call(...args);
        } finally {
          this.localActivitiesRunning -= 1;
        }
      };
    return { recordEvent: count(proxy.recordEvent), moveMoney: count(proxy.moveMoney), issueFeeInvoice: count(proxy.issueFeeInvoice) };
  }

  get inEscrow(): number {
    return this.deposited - this.released - this.refunded;
  }

  /** The escrow fee on an amount, at the project's rate. */
  escrowFeeOn(amount: number): number {
    return feeOn(amount, this.input.fees.escrowFeePpm);
  }

  /**
   * What the client still has to pay for the milestone to be funded: the rest of the amount, then of the fee. What
   * was released already is no longer due.
   */
  get due(): { escrow: number; fee: number } {
    const toHold = this.amount - this.released;
    return { escrow: Math.max(0, toHold - this.inEscrow), fee: Math.max(0, this.escrowFeeOn(toHold) - this.feeHeld) };
  }

  get fullyFunded(): boolean {
    const due = this.due;
    return due.escrow === 0 && due.fee === 0;
  }

  /** Takes a deposit: first toward the amount, then the escrow fee; anything beyond is excess and goes back. */
  acceptDeposit(eventId: string, amount: number): { toEscrow: number; toFee: number; excess: number } {
    const due = this.state === 'awaiting_deposit' ? this.due : { escrow: 0, fee: 0 };
    const toEscrow = Math.min(amount, due.escrow);
    const toFee = Math.min(amount - toEscrow, due.fee);
    const excess = amount - toEscrow - toFee;
    this.deposited += toEscrow + excess;
    this.refunded += excess;
    this.feeHeld += toFee;
    queued(this.move(`deposit:${eventId}`, { type: 'deposit', toEscrow, toFee, excess }));
    if (excess > 0) this.orderRefund(excess, 'excess_deposit');
    return { toEscrow, toFee, excess };
  }

  /**
   * `amount` leaves escrow for the provider, less the commission; the escrow fee on it is earned. Both fees are
   * invoiced. The fee still held always equals the fee on what stays in escrow, so no cent is lost to rounding.
   */
  releaseToProvider(amount: number): { commission: number; escrowFee: number } {
    const commission = feeOn(amount, this.input.fees.commissionPpm);
    const escrowFee = this.earnableFee(amount);
    this.released += amount;
    this.releasedGross += amount;
    this.commission += commission;
    this.feeHeld -= escrowFee;
    this.unrequested.amount += amount;
    this.unrequested.commission += commission;
    this.unrequested.escrowFee += escrowFee;
    const key = `release:${this.releasedGross}`;
    queued(this.move(key, { type: 'release', amount, commission, escrowFee }));
    if (commission > 0) this.invoiceFee(`${key}:commission`, 'commission', 'provider', commission, amount);
    if (escrowFee > 0) this.invoiceFee(`${key}:escrow_fee`, 'escrow_fee', 'client', escrowFee, amount);
    return { commission, escrowFee };
  }

  /** `amount` leaves escrow back to the client, with the part of the escrow fee that no longer applies. */
  refundToClient(amount: number, reason: string): { escrowFee: number } {
    const escrowFee = this.earnableFee(amount);
    this.refunded += amount;
    this.feeHeld -= escrowFee;
    queued(this.move(`refund:${this.refundSeq + 1}`, { type: 'refund', amount, escrowFee }));
    this.orderRefund(amount + escrowFee, reason);
    return { escrowFee };
  }

  /**
   * The provider gives back `amount` of what was released and not yet requested: the commission and the escrow fee
   * taken on that part go back with it (in proportion, to the cent when it is all of it), and the client is refunded.
   */
  giveBackReleased(amount: number, reason: string): { commission: number; escrowFee: number } {
    const part = this.unrequested;
    const all = amount === part.amount;
    const commission = all ? part.commission : Math.min(part.commission, feeOn(amount, this.input.fees.commissionPpm));
    const escrowFee = all ? part.escrowFee : Math.min(part.escrowFee, this.escrowFeeOn(amount));
    part.amount -= amount;
    part.commission -= commission;
    part.escrowFee -= escrowFee;
    this.released -= amount;
    this.refunded += amount;
    this.commission -= commission;
    queued(this.move(`released_refund:${++this.givenBackSeq}`, { type: 'released_refund', amount, commission, escrowFee }));
    this.orderRefund(amount + escrowFee, reason);
    return { commission, escrowFee };
  }

  /** What the provider may give back: the escrow, and what was released and not yet requested unless a bank took it back. */
  get providerRefundable(): number {
    return this.inEscrow + (this.chargebackLoss > 0 ? 0 : this.unrequested.amount);
  }

  /** Every payment request; a run from before the patch keeps only its one `paymentRequest`. */
  get allPaymentRequests(): PaymentRequestView[] {
    return this.paymentRequests.length > 0 ? this.paymentRequests : this.paymentRequest ? [this.paymentRequest] : [];
  }

  /**
   * Where a milestone stands once nothing is left in escrow: waiting for a payment request for what was released,
   * for its payouts, paid, or refunded when nothing went to the provider.
   */
  escrowEmptyState(): MilestoneState {
    if (this.unrequested.amount > 0) return 'released';
    if (this.paymentRequests.some((r) => !r.paidAt)) return 'payment_requested';
    return this.released > 0 ? 'paid' : 'refunded';
  }

  /** The part of the held fee that goes with `amount` leaving escrow: what is held beyond the fee on what remains. */
  private earnableFee(amount: number): number {
    const remaining = this.inEscrow - amount;
    return Math.max(0, Math.min(this.feeHeld, this.feeHeld - this.escrowFeeOn(remaining)));
  }

  /** A refund order to the client's bank, followed by its own workflow (confirmation, failure, retries). */
  private orderRefund(amount: number, reason: string): void {
    const refundId = milestoneRefundId(this.input.milestoneId, ++this.refundSeq);
    const { milestoneId, projectId, currency, client } = this.input;
    queued(
      this.effects.run(async () => {
        await startChild(refundWorkflow, {
          workflowId: refundWorkflowId(refundId),
          args: [{ refundId, projectId, milestoneId, client: { id: client.id }, amount, currency, reason }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
      }),
    );
  }

  private invoiceFee(key: string, kind: FeeKind, party: Party, amount: number, base: number): void {
    const { milestoneId, projectId, currency, projectTitle, title } = this.input;
    const invoice = { key: `${milestoneId}:${key}`, projectId, milestoneId, party, recipient: this.partyInfo(party), kind, amount, base, currency, projectTitle, milestoneTitle: title };
    queued(this.effects.run(() => this.invoices.issueFeeInvoice(invoice)));
  }

  get timing() {
    return this.input.timing;
  }

  status(): MilestoneStatus {
    const { milestoneId, projectId, currency } = this.input;
    const due = this.due;
    return {
      milestoneId,
      projectId,
      state: this.state,
      amount: this.amount,
      currency,
      deposited: this.deposited,
      released: this.released,
      refunded: this.refunded,
      inEscrow: this.inEscrow,
      escrowFeeDue: this.escrowFeeOn(this.amount),
      escrowFeeHeld: this.feeHeld,
      dueNow: this.state === 'awaiting_deposit' ? due.escrow + due.fee : 0,
      commission: this.commission,
      cancelRequestedBy: [...this.cancelRequestedBy],
      paymentRequest: this.paymentRequest,
      paymentRequests: this.allPaymentRequests,
      requestable: this.everydayMoves ? this.unrequested.amount : this.state === 'released' ? this.released : 0,
      changeRounds: this.changeRounds,
      kind: this.input.kind ?? 'milestone',
      disputeId: this.dispute?.id,
      ...(this.frozenBy.size > 0 ? { frozenBy: [...this.frozenBy] } : {}),
    };
  }

  /** The party by id only: a run started with the address in its input keeps it out of the events it writes now. */
  partyInfo(party: Party): PartyRef {
    return { id: (party === 'client' ? this.input.client : this.input.provider).id };
  }

  partyOf(actor: Actor): Party | undefined {
    return partyOf(actor, this.input);
  }

  requireParty(actor: Actor, allowed: Party[], action: string): Party {
    const party = this.partyOf(actor);
    if (!party || !allowed.includes(party)) return refuse(FailureType.NotAllowed, `only the ${allowed.join(' or ')} may ${action}`);
    return party;
  }

  /** While a chargeback is open, what its deposit put in escrow is frozen: the parties' actions wait. */
  requireNotFrozen(action: string): void {
    if (this.frozenBy.size > 0) refuse(FailureType.PaymentIncident, `cannot ${action} while the client's bank disputes the deposit (payment incident)`);
  }

  /**
   * A chargeback lost: what the bank took back leaves escrow first, then the escrow fee held; anything beyond (the
   * money had been released) is the platform's loss. The milestone needs funding again for what left escrow.
   */
  chargebackLost(chargebackId: string, amount: number): { escrow: number; escrowFee: number; loss: number } {
    const escrow = Math.min(amount, this.inEscrow);
    const escrowFee = Math.min(amount - escrow, this.feeHeld);
    const loss = amount - escrow - escrowFee;
    this.chargebackLoss += loss;
    this.deposited -= escrow;
    this.feeHeld -= escrowFee;
    queued(this.move(`chargeback:${chargebackId}:lost`, { type: 'chargeback_lost', escrow, escrowFee, loss }));
    return { escrow, escrowFee, loss };
  }

  requireState(allowed: MilestoneState[], action: string): void {
    if (!allowed.includes(this.state)) refuse(FailureType.InvalidState, `cannot ${action} a milestone that is ${this.state}`);
  }

  /** Changes state now (when `to` is given); records the timeline event and the read model's state as an effect. */
  record(type: string, opts: { to?: MilestoneState; actor?: Actor; data?: Record<string, unknown> } = {}): Promise<void> {
    if (opts.to) {
      this.state = opts.to;
      this.stateSince = Date.now();
    }
    const key = `${this.input.milestoneId}:event:${++this.eventSeq}`;
    const event = { milestoneId: this.input.milestoneId, key, type, actor: opts.actor?.userId, data: opts.data, state: opts.to };
    return this.effects.run(() => this.writes.recordEvent(event));
  }

  move(key: string, movement: Movement): Promise<void> {
    const { milestoneId, projectId, currency } = this.input;
    return this.effects.run(() => this.writes.moveMoney({ idempotencyKey: `${milestoneId}:${key}`, projectId, milestoneId, currency, movement }));
  }

  /**
   * Tells a party (e-mail and in-app feed). With `onlyIf`, the notice is dropped if the condition no longer holds
   * when its turn comes: a reminder never goes out about a state the milestone has left.
   */
  notify(
    template: NotificationKind,
    party: Party,
    opts: { amount?: number; extra?: NoticeExtra; onlyIf?: () => boolean; timeline?: Record<string, unknown>; onSent?: () => void } = {},
  ): Promise<void> {
    const { milestoneId, projectId, currency } = this.input;
    const key = `${milestoneId}:notice:${++this.noticeSeq}:${template}:${party}`;
    const to = this.partyInfo(party);
    const data = { projectTitle: this.input.projectTitle, milestoneTitle: this.input.title, amount: opts.amount ?? this.amount, currency, ...opts.extra };
    const refs = { projectId, milestoneId, disputeId: this.dispute?.id };
    const eventKey = opts.timeline ? `${milestoneId}:event:${++this.eventSeq}` : undefined;
    // A reminder is also checked against the read model's state by the activity, in case it is retried for long.
    const onlyWhileState = opts.onlyIf ? this.state : undefined;
    return this.notices.run(async () => {
      if (opts.onlyIf && !opts.onlyIf()) return;
      await activities.notify({ key, template, to, party, data, refs, onlyWhileState });
      opts.onSent?.();
      if (eventKey) await this.writes.recordEvent({ milestoneId, key: eventKey, type: 'reminder_sent', data: { template, to: party, ...opts.timeline } });
    });
  }

  /** Publishes the dispute's new snapshot to the read model. */
  saveDispute(): Promise<void> {
    const dispute = this.dispute!;
    dispute.version += 1;
    dispute.inEscrow = this.inEscrow;
    const texts = disputeTexts(dispute).filter((t) => !this.savedTexts.has(`${dispute.id}/${t.key}`));
    for (const t of texts) this.savedTexts.add(`${dispute.id}/${t.key}`);
    const snapshot = leanDispute(dispute);
    return this.effects.run(() => activities.saveDispute(snapshot, texts));
  }
}
