import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { Movement } from '../../db/ledger-movements';
import type { TemplateName } from '../../activities/mail/templates';
import { nextPayoutRun } from '../../lib/payout-calendar';
import { SerialEffects } from '../serial';
import { FailureType, type Actor, type Party, type PartyInfo } from '../shared';
import {
  cancelUpdate,
  completeUpdate,
  depositReceivedSignal,
  isFinal,
  payoutSettledSignal,
  releaseUpdate,
  requestPaymentUpdate,
  statusQuery,
  type CancelResult,
  type MilestoneInput,
  type MilestoneState,
  type MilestoneStatus,
  type PaymentRequestView,
  type PayoutSettledArgs,
} from './contract';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '1m', nonRetryableErrorTypes: ['LedgerRejected'] },
});

const refuse = (type: FailureType, message: string): never => {
  throw ApplicationFailure.nonRetryable(message, type);
};

/** One R0 milestone from creation to a final state: escrow, delivery, release, payment request, payout. */
export async function milestoneWorkflow(input: MilestoneInput): Promise<MilestoneState> {
  const { milestoneId, projectId, currency, amount } = input;
  let state = 'awaiting_deposit' as MilestoneState;
  /** all money received for this milestone, including any excess */
  let deposited = 0;
  /** the part of `deposited` that counts toward the amount */
  let escrowed = 0;
  let released = 0;
  let refunded = 0;
  const cancelRequestedBy = new Set<Party>();
  const seenEvents = new Set<string>();
  let paymentRequest: PaymentRequestView | undefined;
  let payoutSettlement: PayoutSettledArgs | undefined;
  let eventSeq = 0;
  const effects = new SerialEffects();

  const status = (): MilestoneStatus => ({
    milestoneId,
    projectId,
    state,
    amount,
    currency,
    deposited,
    released,
    refunded,
    inEscrow: deposited - released - refunded,
    cancelRequestedBy: [...cancelRequestedBy],
    paymentRequest,
  });

  const partyOf = (actor: Actor): Party | undefined => {
    if (actor.role === 'client' && actor.userId === input.client.id) return 'client';
    if (actor.role === 'provider' && actor.userId === input.provider.id) return 'provider';
    return undefined;
  };
  const requireParty = (actor: Actor, allowed: Party[], action: string) => {
    const party = partyOf(actor);
    if (!party || !allowed.includes(party)) refuse(FailureType.NotAllowed, `only the ${allowed.join(' or ')} may ${action}`);
  };
  const requireState = (allowed: MilestoneState[], action: string) => {
    if (!allowed.includes(state)) refuse(FailureType.InvalidState, `cannot ${action} a milestone that is ${state}`);
  };

  /** Changes state now; records the event (and the read model's state) as the next queued effect. */
  const record = (type: string, opts: { to?: MilestoneState; actor?: Actor; data?: Record<string, unknown> } = {}) => {
    if (opts.to) state = opts.to;
    const key = `${milestoneId}:event:${++eventSeq}`;
    const recordedState = opts.to;
    return effects.run(() =>
      acts.recordEvent({ milestoneId, key, type, actor: opts.actor?.userId, data: opts.data, state: recordedState }),
    );
  };
  const move = (key: string, movement: Movement) =>
    effects.run(() => acts.moveMoney({ idempotencyKey: `${milestoneId}:${key}`, projectId, milestoneId, currency, movement }));
  const mail = (template: TemplateName, to: PartyInfo, extra: Record<string, string | number> = {}, mailAmount = amount) => {
    const key = `${milestoneId}:mail:${template}:${to.id}:${eventSeq}`;
    const data = { projectTitle: input.projectTitle, milestoneTitle: input.title, amount: mailAmount, currency, ...extra };
    return effects.run(() => acts.sendMail({ key, template, to, data }));
  };
  const otherParty = (party: Party): PartyInfo => (party === 'client' ? input.provider : input.client);

  setHandler(statusQuery, status);

  setHandler(depositReceivedSignal, (deposit) => {
    if (seenEvents.has(deposit.eventId)) return;
    seenEvents.add(deposit.eventId);
    const due = state === 'awaiting_deposit' ? amount - escrowed : 0;
    const accepted = Math.min(due, deposit.amount);
    const excess = deposit.amount - accepted;
    deposited += deposit.amount;
    escrowed += accepted;
    refunded += excess;
    void move(`deposit:${deposit.eventId}`, { type: 'deposit', accepted, excess });
    void record('deposit_received', { data: { eventId: deposit.eventId, amount: deposit.amount, accepted, excess, reference: deposit.reference } });
    if (state === 'awaiting_deposit' && escrowed === amount) {
      void record('funded', { to: 'funded', data: { escrowed } });
      void mail('milestone_funded', input.provider);
    }
  });

  setHandler(
    completeUpdate,
    async ({ actor }) => {
      await record('work_delivered', { to: 'delivered', actor });
      await mail('work_delivered', input.client);
      return status();
    },
    {
      validator: ({ actor }) => {
        requireParty(actor, ['provider'], 'mark the work complete');
        requireState(['funded'], 'mark complete');
      },
    },
  );

  setHandler(
    releaseUpdate,
    async ({ actor }) => {
      const amountReleased = deposited - released - refunded;
      released += amountReleased;
      void move('release', { type: 'release', amount: amountReleased });
      void record('released', { to: 'released', actor, data: { amount: amountReleased, by: 'client' } });
      await mail('funds_released', input.provider, {}, amountReleased);
      return status();
    },
    {
      validator: ({ actor }) => {
        requireParty(actor, ['client'], 'release the escrow');
        requireState(['funded', 'delivered'], 'release');
      },
    },
  );

  setHandler(
    cancelUpdate,
    async ({ actor }): Promise<CancelResult> => {
      const party = partyOf(actor)!;
      const inEscrow = deposited - released - refunded;
      if (state === 'awaiting_deposit') {
        if (inEscrow > 0) {
          refunded += inEscrow;
          void move('refund:cancel', { type: 'refund', amount: inEscrow });
        }
        void record('cancelled', { to: 'cancelled', actor, data: { refunded: inEscrow } });
        await mail('milestone_cancelled', otherParty(party));
        return { outcome: 'cancelled', status: status() };
      }
      cancelRequestedBy.add(party);
      if (cancelRequestedBy.size < 2) {
        void record('cancel_requested', { actor });
        await mail('cancel_requested', otherParty(party));
        return { outcome: 'pending', status: status() };
      }
      refunded += inEscrow;
      void move('refund:cancel', { type: 'refund', amount: inEscrow });
      void record('refunded', { to: 'refunded', actor, data: { refunded: inEscrow, reason: 'mutual_cancellation' } });
      void mail('milestone_refunded', input.client, {}, inEscrow);
      await mail('milestone_refunded', input.provider, {}, inEscrow);
      return { outcome: 'refunded', status: status() };
    },
    {
      validator: ({ actor }) => {
        requireParty(actor, ['client', 'provider'], 'cancel');
        requireState(['awaiting_deposit', 'funded', 'delivered'], 'cancel');
      },
    },
  );

  setHandler(
    requestPaymentUpdate,
    async (args) => {
      const scheduledFor = nextPayoutRun(new Date(Date.now() + input.timing.payoutDelayMs), input.timing.payoutCalendar);
      paymentRequest = {
        id: args.paymentRequestId,
        invoiceId: args.invoiceId,
        invoiceNumber: args.invoiceNumber,
        amount: args.amount,
        scheduledFor: scheduledFor.toISOString(),
      };
      void effects.run(() =>
        acts.schedulePaymentRequest({
          id: args.paymentRequestId,
          projectId,
          milestoneId,
          providerId: input.provider.id,
          invoiceId: args.invoiceId,
          invoiceNumber: args.invoiceNumber,
          amount: args.amount,
          currency,
          scheduledFor: scheduledFor.toISOString(),
        }),
      );
      await record('payment_requested', {
        to: 'payment_requested',
        actor: args.actor,
        data: { paymentRequestId: args.paymentRequestId, invoiceNumber: args.invoiceNumber, amount: args.amount, scheduledFor: scheduledFor.toISOString() },
      });
      return status();
    },
    {
      validator: (args) => {
        requireParty(args.actor, ['provider'], 'request payment');
        requireState(['released'], 'request payment for');
        const payable = released;
        if (args.amount !== payable) {
          refuse(FailureType.BusinessRule, `the payment request must be for the released amount (${payable}), not ${args.amount}`);
        }
      },
    },
  );

  setHandler(payoutSettledSignal, (settlement) => {
    if (seenEvents.has(settlement.eventId)) return;
    seenEvents.add(settlement.eventId);
    if (paymentRequest?.payoutId === settlement.payoutId && !payoutSettlement) payoutSettlement = settlement;
  });

  /** Waits for the payout run, orders the payout and settles it; leaves the milestone `paid` or back to `released`. */
  async function payOut(request: PaymentRequestView): Promise<void> {
    const wait = new Date(request.scheduledFor).getTime() - Date.now();
    if (wait > 0) await sleep(wait);
    const payout = { paymentRequestId: request.id, projectId, milestoneId, providerId: input.provider.id, amount: request.amount, currency };
    const receipt = await effects.run(() => acts.orderPayout(payout));
    request.payoutId = receipt.payoutId;
    await record('payout_ordered', { data: { payoutId: receipt.payoutId, amount: request.amount } });
    if (receipt.status === 'paid') {
      payoutSettlement = { eventId: `gateway:${receipt.payoutId}`, payoutId: receipt.payoutId, outcome: 'paid' };
    }
    await condition(() => payoutSettlement !== undefined);
    const settlement = payoutSettlement!;
    payoutSettlement = undefined;
    await effects.run(() => acts.settlePayout({ ...payout, outcome: settlement.outcome, reason: settlement.reason }));
    if (settlement.outcome === 'paid') {
      void record('paid', { to: 'paid', data: { payoutId: settlement.payoutId, amount: request.amount } });
      await mail('payout_paid', input.provider, {}, request.amount);
    } else {
      paymentRequest = undefined;
      void record('payout_failed', { to: 'released', data: { payoutId: settlement.payoutId, reason: settlement.reason ?? 'unknown' } });
      await mail('payout_failed', input.provider, { reason: settlement.reason ?? 'motif non précisé' }, request.amount);
    }
  }

  while (!isFinal(state)) {
    const current = state;
    if (current === 'payment_requested' && paymentRequest) {
      await payOut(paymentRequest);
    } else {
      await condition(() => state !== current);
    }
  }
  await condition(() => effects.idle && allHandlersFinished());
  return state;
}
