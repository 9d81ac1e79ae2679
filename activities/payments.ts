import { recordBusinessEvent } from './timeline';
import { ApplicationFailure } from '@temporalio/activity';
import { succeededDeposits } from '../db/deposit-intents';
import { keepRequestTransfer, payoutIdsOf, recordPayoutAttempt, requestTransfer, setWaitingReason, settlePayoutAttempt } from '../db/payment-requests';
import { findPayoutAccount } from '../db/payout-accounts';
import { currentTry, nextTry, pinnedSource } from '../db/provider-orders';
import type { Db } from '../db/pool';
import { recordProviderRefund, recordRefundOrder, settleRefundOrder } from '../db/refunds';
import { RetryLater, type PaymentProvider, type TransferReceipt } from '../domain/payment-provider';
import { failureIncidents } from './incidents';
import type { PayoutRequest, PayoutSettlement, RefundAttempt, RefundSettlement } from '../workflows/activities/contract';
import type { RefundInput } from '../workflows/refund/contract';
import { postFor } from './ledger';
import type { Mailer } from './mail/mailer';
import { staffMail } from './notices';

/**
 * Money leaving the platform through the payment provider: payouts to providers and refunds to clients, each
 * ordered with an idempotency key, recorded, and moved in the ledger once ordered and once settled.
 */
export function paymentActivities(deps: { db: Db; mailer: Mailer; payments: PaymentProvider; staffEmail: string }) {
  const { db, payments } = deps;
  const tellStaff = staffMail(deps);
  const incidents = failureIncidents(db);

  /** The deposit's charge a payout draws on (Stripe's `source_transaction`): the oldest that covers it. */
  const sourceCharge = async (milestoneId: string, amount: number): Promise<string | undefined> => {
    if (payments.rail !== 'stripe') return undefined;
    const deposits = (await succeededDeposits(db, milestoneId)).reverse();
    return deposits.find((d) => d.latestCharge && (d.amountReceived ?? 0) >= amount)?.latestCharge ?? undefined;
  };
  /** The deposit a refund goes back to: the newest that covers it, else the newest (the provider refuses an excess). */
  const refundedDeposit = async (milestoneId: string, amount: number): Promise<string | undefined> => {
    const deposits = await succeededDeposits(db, milestoneId);
    return (deposits.find((d) => (d.amountReceived ?? 0) >= amount) ?? deposits[0])?.paymentIntentId;
  };

  return {
    async orderPayout(r: PayoutRequest): Promise<TransferReceipt> {
      const account = payments.needsOnboarding ? await findPayoutAccount(db, r.providerId) : undefined;
      const idempotencyKey = `payout:${r.paymentRequestId}:${r.attempt}`;
      const tried = await currentTry(db, idempotencyKey);
      let receipt: TransferReceipt;
      try {
        receipt = await payments.payout({
          idempotencyKey,
          beneficiaryId: r.providerId,
          accountId: account?.accountId,
          amount: r.amount,
          currency: r.currency,
          reference: r.paymentRequestId,
          milestoneId: r.milestoneId,
          transferId: await requestTransfer(db, r.paymentRequestId),
          keepTransfer: (transferId) => keepRequestTransfer(db, r.paymentRequestId, transferId),
          sourceCharge: await pinnedSource(db, `payout:${r.paymentRequestId}:transfer`, () => sourceCharge(r.milestoneId, r.amount)),
          try: tried,
        });
      } catch (err) {
        if (!(err instanceof RetryLater)) throw err;
        // Visible on the dashboard while Temporal retries with backoff: scheduled, with the reason it has not gone.
        await setWaitingReason(db, r.paymentRequestId, err.reason);
        await nextTry(db, idempotencyKey, tried);
        throw ApplicationFailure.retryable(err.reason, 'RetryLater');
      }
      await recordPayoutAttempt(db, { payoutId: receipt.id, paymentRequestId: r.paymentRequestId, milestoneId: r.milestoneId, attempt: r.attempt, amount: r.amount, currency: r.currency });
      await postFor(db, `payout_ordered:${r.paymentRequestId}:${r.attempt}`, r, { type: 'payout_ordered', amount: r.amount });
      return receipt;
    },

    async settlePayout(s: PayoutSettlement): Promise<void> {
      await postFor(db, `payout_${s.outcome}:${s.paymentRequestId}:${s.attempt}`, s, { type: s.outcome === 'paid' ? 'payout_paid' : 'payout_failed', amount: s.amount });
      await settlePayoutAttempt(db, s.payoutId, s.outcome, s.reason);
      if (s.outcome === 'failed') {
        await incidents.open({ kind: 'payout_failed', externalId: s.payoutId, projectId: s.projectId, milestoneId: s.milestoneId, amount: s.amount, reason: s.reason });
      } else {
        await incidents.resolve({ kind: 'payout_failed', milestoneId: s.milestoneId, externalIds: await payoutIdsOf(db, s.paymentRequestId) });
      }
    },

    async recordStrayDeposit(r: RefundInput): Promise<void> {
      const { eventId, reference } = r.strayDeposit!;
      await postFor(db, `deposit:${eventId}`, r, { type: 'deposit', toEscrow: 0, toFee: 0, excess: r.amount });
      await recordBusinessEvent(db, { milestoneId: r.milestoneId, key: `${r.milestoneId}:stray:${eventId}`, type: 'deposit_received', data: { eventId, amount: r.amount, toEscrow: 0, toFee: 0, excess: r.amount, reference, afterEnd: true } });
    },

    async orderRefund(r: RefundAttempt): Promise<TransferReceipt> {
      const orderKey = `${r.refundId}:${r.attempt}`;
      const paymentIntentId =
        payments.rail === 'stripe' ? (r.strayDeposit?.reference ?? (await pinnedSource(db, orderKey, () => refundedDeposit(r.milestoneId, r.amount)))) : undefined;
      const receipt = await payments.refund({ idempotencyKey: orderKey, beneficiaryId: r.client.id, amount: r.amount, currency: r.currency, reference: r.refundId, milestoneId: r.milestoneId, paymentIntentId });
      await recordRefundOrder(db, { id: r.refundId, projectId: r.projectId, milestoneId: r.milestoneId, amount: r.amount, currency: r.currency, reason: r.reason, attempt: r.attempt });
      if (receipt.id !== r.refundId) await recordProviderRefund(db, { providerRefundId: receipt.id, refundId: r.refundId, attempt: r.attempt, paymentIntentId });
      await postFor(db, `${r.refundId}:ordered:${r.attempt}`, r, { type: 'refund_ordered', amount: r.amount });
      await recordBusinessEvent(db, { milestoneId: r.milestoneId, key: `${r.refundId}:ordered:${r.attempt}`, type: 'refund_ordered', data: { refundId: r.refundId, amount: r.amount, reason: r.reason, attempt: r.attempt } });
      return receipt;
    },

    async settleRefund(r: RefundSettlement): Promise<void> {
      await postFor(db, `${r.refundId}:${r.outcome}:${r.attempt}`, r, { type: r.outcome === 'paid' ? 'refund_paid' : 'refund_failed', amount: r.amount });
      await settleRefundOrder(db, r.refundId, r.attempt, r.outcome, r.reason);
      const type = r.outcome === 'paid' ? 'refund_confirmed' : 'refund_failed';
      await recordBusinessEvent(db, { milestoneId: r.milestoneId, key: `${r.refundId}:${r.outcome}:${r.attempt}`, type, data: { refundId: r.refundId, amount: r.amount, reason: r.reason } });
      if (r.outcome === 'paid') await incidents.resolve({ kind: 'refund_failed', milestoneId: r.milestoneId });
      if (r.outcome === 'failed') {
        await incidents.open({ kind: 'refund_failed', externalId: `${r.refundId}:${r.attempt}`, projectId: r.projectId, milestoneId: r.milestoneId, amount: r.amount, reason: r.reason });
        await tellStaff({
          key: `${r.refundId}:failed:${r.attempt}:staff`,
          subject: `Remboursement ${r.refundId} en échec`,
          text: `Le remboursement ${r.refundId} (${r.amount} ${r.currency}, échéance ${r.milestoneId}) a échoué : ${r.reason ?? 'motif non précisé'}.\nRelancez-le une fois les coordonnées bancaires du client corrigées.`,
        });
      }
    },
  };
}
