import { setHandler } from '@temporalio/workflow';
import { nextPayoutRun } from '../../lib/payout-calendar';
import { FailureType } from '../shared';
import { acts } from './activities';
import { otherParty, refuse, type MilestoneCore } from './core';
import {
  cancelUpdate,
  completeUpdate,
  depositReceivedSignal,
  payoutSettledSignal,
  releaseUpdate,
  requestPaymentUpdate,
  statusQuery,
  type CancelResult,
} from './contract';

/** Deposits, delivery, release, cancellation and payment requests. */
export function registerLifecycleHandlers(m: MilestoneCore): void {
  const { amount } = m.input;

  setHandler(statusQuery, () => m.status());

  setHandler(depositReceivedSignal, (deposit) => {
    if (m.seenEvents.has(deposit.eventId)) return;
    m.seenEvents.add(deposit.eventId);
    const due = m.state === 'awaiting_deposit' ? amount - m.escrowed : 0;
    const accepted = Math.min(due, deposit.amount);
    const excess = deposit.amount - accepted;
    m.deposited += deposit.amount;
    m.escrowed += accepted;
    m.refunded += excess;
    void m.move(`deposit:${deposit.eventId}`, { type: 'deposit', accepted, excess });
    void m.record('deposit_received', { data: { eventId: deposit.eventId, amount: deposit.amount, accepted, excess, reference: deposit.reference } });
    if (m.state === 'awaiting_deposit' && m.escrowed === amount) {
      void m.record('funded', { to: 'funded', data: { escrowed: m.escrowed } });
      void m.notify('milestone_funded', 'provider');
    }
  });

  setHandler(
    completeUpdate,
    async ({ actor }) => {
      void m.record('work_delivered', { to: 'delivered', actor });
      await m.notify('work_delivered', 'client', { amount: m.inEscrow });
      return m.status();
    },
    {
      validator: ({ actor }) => {
        m.requireParty(actor, ['provider'], 'mark the work complete');
        m.requireState(['funded'], 'mark complete');
      },
    },
  );

  setHandler(
    releaseUpdate,
    async ({ actor }) => {
      const released = m.inEscrow;
      m.released += released;
      void m.move('release', { type: 'release', amount: released });
      void m.record('released', { to: 'released', actor, data: { amount: released, by: 'client' } });
      await m.notify('funds_released', 'provider', { amount: released });
      return m.status();
    },
    {
      validator: ({ actor }) => {
        m.requireParty(actor, ['client'], 'release the escrow');
        m.requireState(['funded', 'delivered'], 'release');
      },
    },
  );

  setHandler(
    cancelUpdate,
    async ({ actor }): Promise<CancelResult> => {
      const party = m.partyOf(actor)!;
      const inEscrow = m.inEscrow;
      if (m.state === 'awaiting_deposit') {
        if (inEscrow > 0) {
          m.refunded += inEscrow;
          void m.move('refund:cancel', { type: 'refund', amount: inEscrow });
        }
        void m.record('cancelled', { to: 'cancelled', actor, data: { refunded: inEscrow } });
        await m.notify('milestone_cancelled', otherParty(party));
        return { outcome: 'cancelled', status: m.status() };
      }
      m.cancelRequestedBy.add(party);
      if (m.cancelRequestedBy.size < 2) {
        void m.record('cancel_requested', { actor });
        await m.notify('cancel_requested', otherParty(party));
        return { outcome: 'pending', status: m.status() };
      }
      m.refunded += inEscrow;
      void m.move('refund:cancel', { type: 'refund', amount: inEscrow });
      void m.record('refunded', { to: 'refunded', actor, data: { refunded: inEscrow, reason: 'mutual_cancellation' } });
      void m.notify('milestone_refunded', 'client', { amount: inEscrow });
      await m.notify('milestone_refunded', 'provider', { amount: inEscrow });
      return { outcome: 'refunded', status: m.status() };
    },
    {
      validator: ({ actor }) => {
        m.requireParty(actor, ['client', 'provider'], 'cancel');
        m.requireState(['awaiting_deposit', 'funded', 'delivered'], 'cancel');
      },
    },
  );

  setHandler(
    requestPaymentUpdate,
    async (args) => {
      const scheduledFor = nextPayoutRun(new Date(Date.now() + m.timing.payoutDelayMs), m.timing.payoutCalendar).toISOString();
      m.paymentRequest = { id: args.paymentRequestId, invoiceId: args.invoiceId, invoiceNumber: args.invoiceNumber, amount: args.amount, scheduledFor };
      const { projectId, milestoneId, currency, provider } = m.input;
      void m.effects.run(() =>
        acts.schedulePaymentRequest({
          id: args.paymentRequestId, projectId, milestoneId, providerId: provider.id, invoiceId: args.invoiceId,
          invoiceNumber: args.invoiceNumber, amount: args.amount, currency, scheduledFor,
        }),
      );
      await m.record('payment_requested', {
        to: 'payment_requested',
        actor: args.actor,
        data: { paymentRequestId: args.paymentRequestId, invoiceNumber: args.invoiceNumber, amount: args.amount, scheduledFor },
      });
      return m.status();
    },
    {
      validator: (args) => {
        m.requireParty(args.actor, ['provider'], 'request payment');
        m.requireState(['released'], 'request payment for');
        if (args.amount !== m.released) {
          refuse(FailureType.BusinessRule, `the payment request must be for the released amount (${m.released}), not ${args.amount}`);
        }
      },
    },
  );

  setHandler(payoutSettledSignal, (settlement) => {
    if (m.seenEvents.has(settlement.eventId)) return;
    m.seenEvents.add(settlement.eventId);
    if (m.paymentRequest?.payoutId === settlement.payoutId && !m.payoutSettlement) m.payoutSettlement = settlement;
  });
}
