import { ApplicationFailure } from '@temporalio/workflow';
import type { TemplateName } from '../../activities/mail/templates';
import type { Movement } from '../../db/ledger-movements';
import { SerialEffects } from '../serial';
import { FailureType, type Actor, type Party, type PartyInfo } from '../shared';
import { acts } from './activities';
import type {
  DisputeView,
  MilestoneInput,
  MilestoneState,
  MilestoneStatus,
  PaymentRequestView,
  PayoutSettledArgs,
} from './contract';

export const refuse = (type: FailureType, message: string): never => {
  throw ApplicationFailure.nonRetryable(message, type);
};

export const otherParty = (party: Party): Party => (party === 'client' ? 'provider' : 'client');

type NoticeExtra = { n?: number; deadline?: string; reason?: string; providerAmount?: number; clientAmount?: number; question?: string; rationale?: string; policy?: MilestoneInput['timing']['clientSilencePolicy'] };

/**
 * A milestone's state and the side effects that follow its changes. State changes are synchronous (a validator
 * running next sees them); effects — ledger, read models, notices — run one after another in the order queued.
 */
export class MilestoneCore {
  state: MilestoneState = 'awaiting_deposit';
  /** workflow time (ms) at which the current state began */
  stateSince = Date.now();
  /** all money received, including any excess */
  deposited = 0;
  /** the part of `deposited` that counts toward the amount */
  escrowed = 0;
  released = 0;
  refunded = 0;
  readonly cancelRequestedBy = new Set<Party>();
  readonly seenEvents = new Set<string>();
  paymentRequest?: PaymentRequestView;
  payoutSettlement?: PayoutSettledArgs;
  dispute?: DisputeView;
  readonly effects = new SerialEffects();
  private eventSeq = 0;
  private noticeSeq = 0;

  constructor(readonly input: MilestoneInput) {}

  get inEscrow(): number {
    return this.deposited - this.released - this.refunded;
  }

  get timing() {
    return this.input.timing;
  }

  status(): MilestoneStatus {
    const { milestoneId, projectId, amount, currency } = this.input;
    return {
      milestoneId,
      projectId,
      state: this.state,
      amount,
      currency,
      deposited: this.deposited,
      released: this.released,
      refunded: this.refunded,
      inEscrow: this.inEscrow,
      cancelRequestedBy: [...this.cancelRequestedBy],
      paymentRequest: this.paymentRequest,
      disputeId: this.dispute?.id,
    };
  }

  partyInfo(party: Party): PartyInfo {
    return party === 'client' ? this.input.client : this.input.provider;
  }

  partyOf(actor: Actor): Party | undefined {
    if (actor.role === 'client' && actor.userId === this.input.client.id) return 'client';
    if (actor.role === 'provider' && actor.userId === this.input.provider.id) return 'provider';
    return undefined;
  }

  requireParty(actor: Actor, allowed: Party[], action: string): Party {
    const party = this.partyOf(actor);
    if (!party || !allowed.includes(party)) return refuse(FailureType.NotAllowed, `only the ${allowed.join(' or ')} may ${action}`);
    return party;
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
    return this.effects.run(() => acts.recordEvent(event));
  }

  move(key: string, movement: Movement): Promise<void> {
    const { milestoneId, projectId, currency } = this.input;
    return this.effects.run(() => acts.moveMoney({ idempotencyKey: `${milestoneId}:${key}`, projectId, milestoneId, currency, movement }));
  }

  /**
   * Tells a party (e-mail and in-app feed). With `onlyIf`, the notice is dropped if the condition no longer holds
   * when its turn comes: a reminder never goes out about a state the milestone has left.
   */
  notify(template: TemplateName, party: Party, opts: { amount?: number; extra?: NoticeExtra; onlyIf?: () => boolean; timeline?: Record<string, unknown> } = {}): Promise<void> {
    const { milestoneId, projectId, currency } = this.input;
    const key = `${milestoneId}:notice:${++this.noticeSeq}:${template}:${party}`;
    const to = this.partyInfo(party);
    const data = { projectTitle: this.input.projectTitle, milestoneTitle: this.input.title, amount: opts.amount ?? this.input.amount, currency, ...opts.extra };
    const refs = { projectId, milestoneId, disputeId: this.dispute?.id };
    const eventKey = opts.timeline ? `${milestoneId}:event:${++this.eventSeq}` : undefined;
    return this.effects.run(async () => {
      if (opts.onlyIf && !opts.onlyIf()) return;
      await acts.notify({ key, template, to, data, refs });
      if (eventKey) await acts.recordEvent({ milestoneId, key: eventKey, type: 'reminder_sent', data: { template, to: party, ...opts.timeline } });
    });
  }

  /** Publishes the dispute's new snapshot to the read model. */
  saveDispute(): Promise<void> {
    const dispute = this.dispute!;
    dispute.version += 1;
    dispute.inEscrow = this.inEscrow;
    const snapshot: DisputeView = JSON.parse(JSON.stringify(dispute));
    return this.effects.run(() => acts.saveDispute(snapshot));
  }
}
