import { recordBusinessEvent } from './timeline';
import { recordPayoutAttempt, settlePayoutAttempt } from '../db/payment-requests';
import type { Db } from '../db/pool';
import { recordRefundOrder, settleRefundOrder } from '../db/refunds';
import type { TransferReceipt } from '../domain/payments';
import type { PayoutRequest, PayoutSettlement, RefundAttempt, RefundSettlement } from '../workflows/activities/contract';
import type { RefundInput } from '../workflows/refund/contract';
import { postFor } from './ledger';
import type { Mailer } from './mail/mailer';
import { staffMail } from './notices';
import type { PaymentGateway } from './payouts/gateway';

/**
 * Money leaving the platform through the payment provider: payouts to providers and refunds to clients, each
 * ordered with an idempotency key, recorded, and moved in the ledger once ordered and once settled.
 */
export function paymentActivities(deps: { db: Db; mailer: Mailer; payments: PaymentGateway; staffEmail: string }) {
  const { db, payments } = deps;
  const tellStaff = staffMail(deps);
  return {
    async orderPayout(r: PayoutRequest): Promise<TransferReceipt> {
      const receipt = await payments.payout({
        idempotencyKey: `payout:${r.paymentRequestId}:${r.attempt}`,
        beneficiaryId: r.providerId,
        amount: r.amount,
        currency: r.currency,
        reference: r.paymentRequestId,
      });
      await recordPayoutAttempt(db, { payoutId: receipt.id, paymentRequestId: r.paymentRequestId, milestoneId: r.milestoneId, attempt: r.attempt, amount: r.amount, currency: r.currency });
      await postFor(db, `payout_ordered:${r.paymentRequestId}:${r.attempt}`, r, { type: 'payout_ordered', amount: r.amount });
      return receipt;
    },

    async settlePayout(s: PayoutSettlement): Promise<void> {
      await postFor(db, `payout_${s.outcome}:${s.paymentRequestId}:${s.attempt}`, s, { type: s.outcome === 'paid' ? 'payout_paid' : 'payout_failed', amount: s.amount });
      await settlePayoutAttempt(db, s.payoutId, s.outcome, s.reason);
    },

    async recordStrayDeposit(r: RefundInput): Promise<void> {
      const { eventId, reference } = r.strayDeposit!;
      await postFor(db, `deposit:${eventId}`, r, { type: 'deposit', toEscrow: 0, toFee: 0, excess: r.amount });
      await recordBusinessEvent(db, { milestoneId: r.milestoneId, key: `${r.milestoneId}:stray:${eventId}`, type: 'deposit_received', data: { eventId, amount: r.amount, toEscrow: 0, toFee: 0, excess: r.amount, reference, afterEnd: true } });
    },

    async orderRefund(r: RefundAttempt): Promise<TransferReceipt> {
      const receipt = await payments.refund({ idempotencyKey: `${r.refundId}:${r.attempt}`, beneficiaryId: r.client.id, amount: r.amount, currency: r.currency, reference: r.refundId });
      await recordRefundOrder(db, { id: r.refundId, projectId: r.projectId, milestoneId: r.milestoneId, amount: r.amount, currency: r.currency, reason: r.reason, attempt: r.attempt });
      await postFor(db, `${r.refundId}:ordered:${r.attempt}`, r, { type: 'refund_ordered', amount: r.amount });
      await recordBusinessEvent(db, { milestoneId: r.milestoneId, key: `${r.refundId}:ordered:${r.attempt}`, type: 'refund_ordered', data: { refundId: r.refundId, amount: r.amount, reason: r.reason, attempt: r.attempt } });
      return receipt;
    },

    async settleRefund(r: RefundSettlement): Promise<void> {
      await postFor(db, `${r.refundId}:${r.outcome}:${r.attempt}`, r, { type: r.outcome === 'paid' ? 'refund_paid' : 'refund_failed', amount: r.amount });
      await settleRefundOrder(db, r.refundId, r.attempt, r.outcome, r.reason);
      const type = r.outcome === 'paid' ? 'refund_confirmed' : 'refund_failed';
      await recordBusinessEvent(db, { milestoneId: r.milestoneId, key: `${r.refundId}:${r.outcome}:${r.attempt}`, type, data: { refundId: r.refundId, amount: r.amount, reason: r.reason } });
      if (r.outcome === 'failed') {
        await tellStaff({
          key: `${r.refundId}:failed:${r.attempt}:staff`,
          subject: `Remboursement ${r.refundId} en échec`,
          text: `Le remboursement ${r.refundId} (${r.amount} ${r.currency}, échéance ${r.milestoneId}) a échoué : ${r.reason ?? 'motif non précisé'}.\nRelancez-le une fois les coordonnées bancaires du client corrigées.`,
        });
      }
    },
  };
}
