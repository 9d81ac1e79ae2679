import { setHandler } from '@temporalio/workflow';
import { FailureType } from '../../domain/failures';
import { isFinal } from '../../domain/milestone';
import { otherParty } from '../../domain/parties';
import { nextPayoutRun } from '../../domain/payout-calendar';
import { activities } from '../activities/proxies';
import { handleUpdate, refuse } from '../updates';
import { queued } from '../serial';
import type { MilestoneCore } from './core';
import {
  amendUpdate,
  cancelUpdate,
  completeUpdate,
  chargebackSignal,
  depositReceivedSignal,
  payoutSettledSignal,
  releaseUpdate,
  requestPaymentUpdate,
  retryPayoutUpdate,
  statusQuery,
  type CancelResult,
} from './contract';

/** Deposits, delivery, release, cancellation, amendments and payment requests. */
export function registerLifecycleHandlers(m: MilestoneCore): void {
  setHandler(statusQuery, () => m.status());

  /** Funded once the amount and its escrow fee are in; a milestone whose amount grew waits for the difference. */
  const checkFunding = () => {
    if (m.state === 'awaiting_deposit' && m.fullyFunded) {
      queued(m.record('funded', { to: 'funded', data: { inEscrow: m.inEscrow, escrowFee: m.feeHeld } }));
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
    async ({ actor }) => {
      const amount = m.inEscrow;
      const fees = m.releaseToProvider(amount);
      queued(m.record('released', { to: 'released', actor, data: { amount, by: 'client', ...fees } }));
      queued(m.notify('funds_released', 'provider', { amount }));
      await m.effects.flush();
      return m.status();
    },
    {
      validator: ({ actor }) => {
        m.requireParty(actor, ['client'], 'release the escrow');
        m.requireState(['funded', 'delivered'], 'release');
        m.requireNotFrozen('release');
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
        queued(m.record('cancelled', { to: 'cancelled', actor, data: { refunded: inEscrow } }));
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
      queued(m.record('refunded', { to: 'refunded', actor, data: { refunded: inEscrow, reason: 'mutual_cancellation' } }));
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
        const to = m.deposited > 0 ? 'refunded' : 'cancelled';
        queued(m.record('removed_by_amendment', { to, data: { amendmentId, refunded: inEscrow } }));
      } else {
        const before = m.amount;
        const excess = m.inEscrow - change.amount;
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
      },
    },
  );

  handleUpdate(
    requestPaymentUpdate,
    async (args) => {
      const scheduledFor = nextPayoutRun(new Date(Date.now() + m.timing.payoutDelayMs), m.timing.payoutCalendar).toISOString();
      const payoutAmount = m.released - m.commission;
      m.paymentRequest = { id: args.paymentRequestId, invoiceId: args.invoiceId, invoiceNumber: args.invoiceNumber, amount: args.amount, payoutAmount, scheduledFor, attempt: 0 };
      const { projectId, milestoneId, currency, provider } = m.input;
      queued(
        m.effects.run(() =>
          activities.schedulePaymentRequest({
            id: args.paymentRequestId, projectId, milestoneId, providerId: provider.id, invoiceId: args.invoiceId,
            invoiceNumber: args.invoiceNumber, amount: args.amount, payoutAmount, currency, scheduledFor,
          }),
        ),
      );
      await m.record('payment_requested', {
        to: 'payment_requested',
        actor: args.actor,
        data: { paymentRequestId: args.paymentRequestId, invoiceNumber: args.invoiceNumber, amount: args.amount, payoutAmount, scheduledFor },
      });
      return m.status();
    },
    {
      validator: (args) => {
        m.requireParty(args.actor, ['provider'], 'request payment');
        m.requireState(['released'], 'request payment for');
        m.requireNotFrozen('request payment for');
        if (args.amount !== m.released) {
          refuse(FailureType.BusinessRule, `the invoice must be for the released amount (${m.released}), not ${args.amount}`);
        }
      },
    },
  );

  handleUpdate(
    retryPayoutUpdate,
    async () => {
      const request = m.paymentRequest!;
      request.failed = undefined;
      request.scheduledFor = nextPayoutRun(new Date(Date.now()), m.timing.payoutCalendar).toISOString();
      await m.record('payout_retry_requested', { data: { paymentRequestId: request.id, scheduledFor: request.scheduledFor } });
      return m.status();
    },
    {
      validator: ({ actor }) => {
        m.requireParty(actor, ['provider'], 'retry a payout');
        if (!m.paymentRequest?.failed) refuse(FailureType.InvalidState, 'there is no failed payout to retry');
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
