import { setHandler } from '@temporalio/workflow';
import { FailureType } from '../../domain/failures';
import { isFinal } from '../../domain/milestone';
import { otherParty } from '../../domain/parties';
import { nextPayoutRun } from '../../domain/payout-calendar';
import { activities } from '../activities/proxies';
import { handleUpdate, refuse } from '../updates';
import { payOut } from './payout';
import { queued } from '../serial';
import type { MilestoneCore } from './core';
import {
  amendUpdate,
  cancelUpdate,
  completeUpdate,
  chargebackSignal,
  depositReceivedSignal,
  payoutSettledSignal,
  refundByProviderUpdate,
  releaseUpdate,
  requestChangesUpdate,
  requestPaymentUpdate,
  retryPayoutUpdate,
  statusQuery,
  type CancelResult,
  type PaymentRequestView,
} from './contract';

/** Deposits, delivery, release, cancellation, amendments and payment requests. */
export function registerLifecycleHandlers(m: MilestoneCore): void {
  setHandler(statusQuery, () => m.status());

  /** Funded once the amount and its escrow fee are in; a milestone whose amount grew waits for the difference. */
  const checkFunding = () => {
    if (m.state === 'awaiting_deposit' && m.fullyFunded) {
      queued(m.record('funded', { to: 'funded', data: { inEscrow: m.inEscrow, escrowFee: m.feeHeld } }));
      if (m.input.kind === 'bonus') return releaseBonus(m);
      queued(m.notify('milestone_funded', 'provider', { amount: m.inEscrow }));
    } else if (m.state === 'funded' && !m.fullyFunded) {
      queued(m.record('awaiting_deposit', { to: 'awaiting_deposit', data: { dueNow: m.due.escrow + m.due.fee } }));
    }
  };

  setHandler(depositReceivedSignal, (deposit) => {
    if (m.seenEvents.has(deposit.eventId)) return;
    m.seenEvents.add(deposit.eventId);
    const split = m.acceptDeposit(deposit.eventId, deposit.amount);
    queued(m.record('deposit_received', { data: { eventId: deposit.eventId, amount: deposit.amount, ...split, reference: deposit.reference } }));
    checkFunding();
  });

  handleUpdate(
    completeUpdate,
    async ({ actor }) => {
      queued(m.record('work_delivered', { to: 'delivered', actor }));
      queued(m.notify('work_delivered', 'client', { amount: m.inEscrow }));
      await m.effects.flush();
      return m.status();
    },
    {
      validator: ({ actor }) => {
        m.requireParty(actor, ['provider'], 'mark the work complete');
        m.requireState(['funded'], 'mark complete');
        m.requireNotFrozen('mark complete');
      },
    },
  );

  handleUpdate(
    releaseUpdate,
    async ({ actor, amount: part }) => {
      const amount = part ?? m.inEscrow;
      const fees = m.releaseToProvider(amount);
      if (m.inEscrow === 0) {
        queued(m.record('released', { to: 'released', actor, data: { amount, by: 'client', ...fees } }));
        queued(m.notify('funds_released', 'provider', { amount }));
      } else {
        queued(m.record('partially_released', { actor, data: { amount, by: 'client', ...fees, inEscrow: m.inEscrow } }));
        queued(m.notify('partially_released', 'provider', { amount, extra: { inEscrow: m.inEscrow } }));
      }
      await m.effects.flush();
      return m.status();
    },
    {
      validator: ({ actor, amount }) => {
        m.requireParty(actor, ['client'], 'release the escrow');
        m.requireState(['funded', 'delivered'], 'release');
        m.requireNotFrozen('release');
        if (amount === undefined || amount === m.inEscrow) return;
        if (!m.everydayMoves) refuse(FailureType.BusinessRule, 'this milestone began before partial releases: release all of it');
        if (!(Number.isSafeInteger(amount) && amount > 0 && amount <= m.inEscrow)) {
          refuse(FailureType.BusinessRule, `a release is a positive amount of at most what is in escrow (${m.inEscrow})`);
        }
      },
    },
  );

  handleUpdate(
    requestChangesUpdate,
    async ({ actor, message }) => {
      m.changeRounds += 1;
      const round = m.changeRounds;
      queued(m.record('changes_requested', { to: 'funded', actor, data: { message, round } }));
      queued(m.notify('changes_requested', 'provider', { amount: m.inEscrow, extra: { message, round } }));
      if (round > (m.timing.changeRoundsBeforeMediation ?? 3)) {
        queued(m.record('mediation_suggested', { data: { rounds: round } }));
        for (const party of ['client', 'provider'] as const) queued(m.notify('mediation_suggested', party, { amount: m.inEscrow, extra: { round } }));
      }
      await m.effects.flush();
      return m.status();
    },
    {
      validator: ({ actor }) => {
        m.requireParty(actor, ['client'], 'ask for changes');
        m.requireState(['delivered'], 'ask for changes to');
        m.requireNotFrozen('ask for changes to');
      },
    },
  );

  handleUpdate(
    refundByProviderUpdate,
    async ({ actor, amount, reason }) => {
      const fromEscrow = Math.min(amount, m.inEscrow);
      const fromReleased = amount - fromEscrow;
      const given = { fromEscrow, fromReleased, escrowFee: 0, commission: 0 };
      if (fromEscrow > 0) given.escrowFee += m.refundToClient(fromEscrow, 'provider_refund').escrowFee;
      if (fromReleased > 0) {
        const fees = m.giveBackReleased(fromReleased, 'provider_refund');
        given.escrowFee += fees.escrowFee;
        given.commission = fees.commission;
      }
      // the price is what went or is going to the provider: none of what was given back is due again
      const newAmount = m.released + m.inEscrow;
      if (newAmount > 0 && newAmount < m.amount) {
        m.amount = newAmount;
        queued(m.effects.run(() => activities.setMilestoneAmount({ milestoneId: m.input.milestoneId, amount: newAmount })));
      }
      const to = m.inEscrow === 0 ? m.escrowEmptyState() : undefined;
      queued(m.record('provider_refunded', { to, actor, data: { amount, reason, ...given, inEscrow: m.inEscrow } }));
      for (const party of ['client', 'provider'] as const) queued(m.notify('provider_refunded', party, { amount, extra: { reason } }));
      await m.effects.flush();
      return m.status();
    },
    {
      validator: ({ actor, amount }) => {
        m.requireParty(actor, ['provider'], 'refund the client');
        m.requireState(['funded', 'delivered', 'released'], 'refund the client of');
        m.requireNotFrozen('refund the client of');
        if (!m.everydayMoves) refuse(FailureType.InvalidState, 'this milestone began before provider refunds: propose an amendment instead');
        const refundable = m.providerRefundable;
        if (!(Number.isSafeInteger(amount) && amount > 0 && amount <= refundable)) {
          refuse(FailureType.BusinessRule, `a refund is a positive amount of at most what is in escrow or released and not yet requested, and not taken back by a chargeback (${refundable})`);
        }
      },
    },
  );

  handleUpdate(
    cancelUpdate,
    async ({ actor }): Promise<CancelResult> => {
      const party = m.partyOf(actor)!;
      const inEscrow = m.inEscrow;
      if (m.state === 'awaiting_deposit') {
        if (inEscrow > 0 || m.feeHeld > 0) m.refundToClient(inEscrow, 'cancelled');
        queued(m.record('cancelled', { to: m.released > 0 ? m.escrowEmptyState() : 'cancelled', actor, data: { refunded: inEscrow } }));
        queued(m.notify('milestone_cancelled', otherParty(party)));
        await m.effects.flush();
        return { outcome: 'cancelled', status: m.status() };
      }
      m.cancelRequestedBy.add(party);
      if (m.cancelRequestedBy.size < 2) {
        queued(m.record('cancel_requested', { actor }));
        queued(m.notify('cancel_requested', otherParty(party)));
        await m.effects.flush();
        return { outcome: 'pending', status: m.status() };
      }
      m.refundToClient(inEscrow, 'mutual_cancellation');
      queued(m.record('refunded', { to: m.escrowEmptyState(), actor, data: { refunded: inEscrow, reason: 'mutual_cancellation' } }));
      queued(m.notify('milestone_refunded', 'client', { amount: inEscrow }));
      queued(m.notify('milestone_refunded', 'provider', { amount: inEscrow }));
      await m.effects.flush();
      return { outcome: 'refunded', status: m.status() };
    },
    {
      validator: ({ actor }) => {
        const party = m.requireParty(actor, ['client', 'provider'], 'cancel');
        m.requireState(['awaiting_deposit', 'funded', 'delivered'], 'cancel');
        m.requireNotFrozen('cancel');
        if (m.state !== 'awaiting_deposit' && m.cancelRequestedBy.has(party)) {
          refuse(FailureType.InvalidState, `the ${party} already asked to cancel; the other party has been told`);
        }
      },
    },
  );

  handleUpdate(
    amendUpdate,
    async ({ amendmentId, change }) => {
      if (change.kind === 'remove') {
        const inEscrow = m.inEscrow;
        if (inEscrow > 0 || m.feeHeld > 0) m.refundToClient(inEscrow, 'amendment');
        const to = m.released > 0 ? m.escrowEmptyState() : m.deposited > 0 ? 'refunded' : 'cancelled';
        queued(m.record('removed_by_amendment', { to, data: { amendmentId, refunded: inEscrow } }));
      } else {
        const before = m.amount;
        const excess = m.inEscrow - (change.amount - m.released);
        if (excess > 0) m.refundToClient(excess, 'amendment');
        m.amount = change.amount;
        queued(m.effects.run(() => activities.setMilestoneAmount({ milestoneId: m.input.milestoneId, amount: change.amount })));
        queued(m.record('amount_changed', { data: { amendmentId, from: before, to: change.amount, refunded: Math.max(0, excess) } }));
        checkFunding();
      }
      await m.effects.flush();
      return m.status();
    },
    {
      validator: ({ change }) => {
        m.requireState(['awaiting_deposit', 'funded'], 'amend');
        m.requireNotFrozen('amend');
        if (change.kind === 'amount' && !(Number.isSafeInteger(change.amount) && change.amount > 0)) {
          refuse(FailureType.BusinessRule, 'a milestone amount is a positive integer');
        }
        if (change.kind === 'amount' && change.amount <= m.released) {
          refuse(FailureType.BusinessRule, `${m.released} of the milestone was released already: its amount must stay above that`);
        }
        if (m.input.kind === 'bonus') refuse(FailureType.BusinessRule, 'a bonus is not amended');
      },
    },
  );

  handleUpdate(
    requestPaymentUpdate,
    async (args) => {
      const scheduledFor = nextPayoutRun(new Date(Date.now() + m.timing.payoutDelayMs), m.timing.payoutCalendar).toISOString();
      const part = m.unrequested;
      const payoutAmount = m.everydayMoves ? part.amount - part.commission : m.released - m.commission;
      Object.assign(part, { amount: 0, commission: 0, escrowFee: 0 });
      const request = { id: args.paymentRequestId, invoiceId: args.invoiceId, invoiceNumber: args.invoiceNumber, amount: args.amount, payoutAmount, scheduledFor, attempt: 0 };
      m.paymentRequest = request;
      if (m.everydayMoves) m.paymentRequests.push(request);
      const { projectId, milestoneId, currency, provider } = m.input;
      queued(
        m.effects.run(() =>
          activities.schedulePaymentRequest({
            id: args.paymentRequestId, projectId, milestoneId, providerId: provider.id, invoiceId: args.invoiceId,
            invoiceNumber: args.invoiceNumber, amount: args.amount, payoutAmount, currency, scheduledFor,
          }),
        ),
      );
      // a request for part of a milestone still in escrow leaves its state as it is; its payout runs beside it
      const to = !m.everydayMoves || m.state === 'released' ? 'payment_requested' : undefined;
      const recorded = m.record('payment_requested', {
        to,
        actor: args.actor,
        data: { paymentRequestId: args.paymentRequestId, invoiceNumber: args.invoiceNumber, amount: args.amount, payoutAmount, scheduledFor },
      });
      if (m.everydayMoves) void payOut(m, request);
      await recorded;
      return m.status();
    },
    {
      validator: (args) => {
        m.requireParty(args.actor, ['provider'], 'request payment');
        if (m.everydayMoves) {
          if (isFinal(m.state) || m.unrequested.amount === 0) refuse(FailureType.InvalidState, `nothing released is waiting for a payment request (the milestone is ${m.state})`);
        } else {
          m.requireState(['released'], 'request payment for');
        }
        m.requireNotFrozen('request payment for');
        const requestable = m.everydayMoves ? m.unrequested.amount : m.released;
        if (args.amount !== requestable) {
          refuse(FailureType.BusinessRule, `the invoice must be for the released amount (${requestable}) not yet requested, not ${args.amount}`);
        }
      },
    },
  );

  handleUpdate(
    retryPayoutUpdate,
    async ({ paymentRequestId }) => {
      const request = failedRequest(m, paymentRequestId)!;
      request.failed = undefined;
      request.scheduledFor = nextPayoutRun(new Date(Date.now()), m.timing.payoutCalendar).toISOString();
      await m.record('payout_retry_requested', { data: { paymentRequestId: request.id, scheduledFor: request.scheduledFor } });
      return m.status();
    },
    {
      validator: ({ actor, paymentRequestId }) => {
        m.requireParty(actor, ['provider'], 'retry a payout');
        if (!failedRequest(m, paymentRequestId)) refuse(FailureType.InvalidState, 'there is no failed payout to retry');
      },
    },
  );

  setHandler(chargebackSignal, (c) => {
    if (m.seenEvents.has(c.eventId)) return;
    m.seenEvents.add(c.eventId);
    if (c.phase === 'opened') {
      if (!m.closedChargebacks.has(c.incidentId)) m.frozenBy.add(c.incidentId);
      return;
    }
    m.frozenBy.delete(c.incidentId);
    m.closedChargebacks.add(c.incidentId);
    if (c.phase !== 'lost') return;
    const lost = m.chargebackLost(c.chargebackId, c.amount);
    // A milestone that has ended held nothing: the whole amount is the platform's loss, booked under the key the
    // incident would use for it, so that only one of the two is kept.
    if (isFinal(m.state)) return;
    queued(m.record('chargeback_lost', { data: { incidentId: c.incidentId, amount: c.amount, ...lost } }));
    if (m.state === 'delivered') queued(m.record('funded', { to: 'funded', data: { inEscrow: m.inEscrow } }));
    checkFunding();
  });

  setHandler(payoutSettledSignal, (settlement) => {
    if (m.seenEvents.has(settlement.eventId)) return;
    m.seenEvents.add(settlement.eventId);
    // The API signals only payout ids it found in the payouts table, i.e. ones this milestone ordered.
    if (!m.payoutSettlements.has(settlement.payoutId)) m.payoutSettlements.set(settlement.payoutId, settlement);
  });
}

/** The failed request a retry is for: the one named, else (calls made before several could exist) the latest. */
function failedRequest(m: MilestoneCore, paymentRequestId?: string): PaymentRequestView | undefined {
  return m.allPaymentRequests.find((r) => r.failed && (paymentRequestId === undefined || r.id === paymentRequestId));
}

/** A bonus is released to the provider as soon as it is funded: it is a payment, not an escrow. */
function releaseBonus(m: MilestoneCore): void {
  const amount = m.inEscrow;
  const fees = m.releaseToProvider(amount);
  queued(m.record('released', { to: 'released', data: { amount, by: 'bonus', ...fees } }));
  queued(m.notify('bonus_received', 'provider', { amount, extra: { message: m.input.message } }));
}
