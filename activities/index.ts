/**
 * Every activity of the system, built from injected dependencies so that the worker wires real ones and tests may
 * wire their own. Workflows see these only as types through proxyActivities.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { saveDisputeSnapshot } from '../db/disputes';
import { describeFee, issueFeeInvoice } from '../db/fee-invoices';
import { postMovement, type PostMovement } from '../db/ledger';
import type { Movement } from '../db/ledger-movements';
import { recordMilestoneEvent, type MilestoneEvent } from '../db/milestone-events';
import { insertNotification } from '../db/notifications';
import { insertScheduledRequest, recordPayoutAttempt, settlePayoutAttempt, type NewPaymentRequest } from '../db/payment-requests';
import type { Db } from '../db/pool';
import { addMilestoneRow, setMilestoneAmount, setProjectState } from '../db/projects';
import { recordRefundOrder, settleRefundOrder } from '../db/refunds';
import { amendUpdate, milestoneWorkflowId, type AmendArgs, type DisputeView, type MilestoneStatus } from '../workflows/milestone/contract';
import type { RefundInput } from '../workflows/refund/contract';
import type { PartyInfo } from '../workflows/shared';
import type { Mailer } from './mail/mailer';
import { renderMail, type MailData, type TemplateName } from './mail/templates';
import type { PaymentGateway, TransferReceipt } from './payouts/gateway';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  payments: PaymentGateway;
  /** the finance staff's address, told about failed payouts and refunds */
  staffEmail: string;
  /** for the project workflow's amendments, which act on milestone workflows */
  temporal?: Client;
}

export interface NoticeRequest {
  /** unique per notice: a retried activity sends it and adds it to the feed once */
  key: string;
  template: TemplateName;
  to: PartyInfo;
  data: Omit<MailData, 'recipientName'>;
  refs: { projectId: string; milestoneId: string; disputeId?: string };
  /** a reminder: dropped if the milestone's read model has left this state by the time the activity runs */
  onlyWhileState?: string;
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
  kind: 'commission' | 'escrow_fee';
  projectId: string;
  milestoneId: string;
  party: 'client' | 'provider';
  recipient: PartyInfo;
  amount: number;
  base: number;
  currency: string;
}

export type RefundAttempt = RefundInput & { attempt: number };

export function createActivities({ db, mailer, payments, staffEmail, temporal }: ActivityDeps) {
  const move = async (post: PostMovement) => {
    try {
      await postMovement(db, post);
    } catch (err) {
      // A movement that cannot balance is a bug in the caller: retrying cannot fix it.
      if (/does not balance|negative|not an integer|larger than/.test((err as Error).message)) {
        throw ApplicationFailure.nonRetryable((err as Error).message, 'LedgerRejected');
      }
      throw err;
    }
  };
  const movement = (key: string, scope: { projectId: string; milestoneId: string; currency: string }, m: Movement) =>
    move({ idempotencyKey: `${scope.milestoneId}:${key}`, projectId: scope.projectId, milestoneId: scope.milestoneId, currency: scope.currency, movement: m });

  /**
   * Sends one e-mail per key, whatever the retries. A permanent refusal by the SMTP server (5xx: unknown mailbox,
   * say) is recorded and not retried: the notice stays in the in-app feed.
   */
  const mailOnce = async (key: string, to: string, template: string, mail: { subject: string; text: string; html: string }) => {
    const seen = await db.query('SELECT 1 FROM sent_emails WHERE key = $1', [key]);
    if (seen.rowCount) return;
    let messageId: string;
    try {
      ({ messageId } = await mailer.send({ to, ...mail }));
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      if (!code || code < 500) throw err;
      messageId = `refused:${code}`;
    }
    await db.query('INSERT INTO sent_emails (key, recipient, template, message_id) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING', [key, to, template, messageId]);
  };

  return {
    async recordEvent(event: MilestoneEvent): Promise<void> {
      await recordMilestoneEvent(db, event);
    },

    moveMoney: move,

    /** One notice to one party: an entry in their in-app feed and an e-mail, each at most once per key. */
    async notify(request: NoticeRequest): Promise<void> {
      if (request.onlyWhileState) {
        const { rows } = await db.query('SELECT state FROM milestones WHERE id = $1', [request.refs.milestoneId]);
        if (rows[0] && rows[0].state !== request.onlyWhileState) return;
      }
      const notice = renderMail(request.template, { ...request.data, recipientName: request.to.name });
      await insertNotification(db, { key: request.key, userId: request.to.id, kind: request.template, title: notice.subject, body: notice.summary, ...request.refs });
      await mailOnce(request.key, request.to.email, request.template, notice);
    },

    /** Tells the finance staff (failed payouts and refunds need a human). */
    async notifyStaff(request: { key: string; subject: string; text: string }): Promise<void> {
      const html = request.text.split('\n').map((line) => `<p>${line.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!)}</p>`).join('\n');
      await mailOnce(request.key, staffEmail, 'staff', { subject: `[finance] ${request.subject}`, text: request.text, html });
    },

    async saveDispute(dispute: DisputeView): Promise<void> {
      await saveDisputeSnapshot(db, dispute);
    },

    async issueFeeInvoice(f: FeeInvoiceRequest): Promise<{ id: string; number: string }> {
      return issueFeeInvoice(db, {
        key: f.key, kind: f.kind, projectId: f.projectId, milestoneId: f.milestoneId, party: f.party, recipient: f.recipient,
        baseAmount: f.base, amount: f.amount, currency: f.currency, description: describeFee(f.kind),
      });
    },

    async schedulePaymentRequest(request: NewPaymentRequest): Promise<void> {
      await insertScheduledRequest(db, request);
    },

    async orderPayout(r: PayoutRequest): Promise<TransferReceipt> {
      const receipt = await payments.payout({
        idempotencyKey: `payout:${r.paymentRequestId}:${r.attempt}`,
        beneficiaryId: r.providerId,
        amount: r.amount,
        currency: r.currency,
        reference: r.paymentRequestId,
      });
      await recordPayoutAttempt(db, { payoutId: receipt.id, paymentRequestId: r.paymentRequestId, milestoneId: r.milestoneId, attempt: r.attempt, amount: r.amount, currency: r.currency });
      await movement(`payout_ordered:${r.paymentRequestId}:${r.attempt}`, r, { type: 'payout_ordered', amount: r.amount });
      return receipt;
    },

    async settlePayout(s: PayoutSettlement): Promise<void> {
      await movement(`payout_${s.outcome}:${s.paymentRequestId}:${s.attempt}`, s, { type: s.outcome === 'paid' ? 'payout_paid' : 'payout_failed', amount: s.amount });
      await settlePayoutAttempt(db, s.payoutId, s.outcome, s.reason);
    },

    /** Money that arrived for a milestone that had ended: in the ledger as excess, owed back to the client. */
    async recordStrayDeposit(r: RefundInput): Promise<void> {
      const eventId = r.strayDeposit!.eventId;
      await movement(`deposit:${eventId}`, r, { type: 'deposit', toEscrow: 0, toFee: 0, excess: r.amount });
      await recordMilestoneEvent(db, { milestoneId: r.milestoneId, key: `${r.milestoneId}:stray:${eventId}`, type: 'deposit_received', data: { eventId, amount: r.amount, toEscrow: 0, toFee: 0, excess: r.amount, reference: r.strayDeposit!.reference, afterEnd: true } });
    },

    async orderRefund(r: RefundAttempt): Promise<TransferReceipt> {
      const receipt = await payments.refund({ idempotencyKey: `${r.refundId}:${r.attempt}`, beneficiaryId: r.client.id, amount: r.amount, currency: r.currency, reference: r.refundId });
      await recordRefundOrder(db, { id: r.refundId, projectId: r.projectId, milestoneId: r.milestoneId, amount: r.amount, currency: r.currency, reason: r.reason, attempt: r.attempt });
      await movement(`${r.refundId}:ordered:${r.attempt}`, r, { type: 'refund_ordered', amount: r.amount });
      await recordMilestoneEvent(db, { milestoneId: r.milestoneId, key: `${r.refundId}:ordered:${r.attempt}`, type: 'refund_ordered', data: { refundId: r.refundId, amount: r.amount, reason: r.reason, attempt: r.attempt } });
      return receipt;
    },

    async settleRefund(r: RefundAttempt & { outcome: 'paid' | 'failed'; reason?: string }): Promise<void> {
      await movement(`${r.refundId}:${r.outcome}:${r.attempt}`, r, { type: r.outcome === 'paid' ? 'refund_paid' : 'refund_failed', amount: r.amount });
      await settleRefundOrder(db, r.refundId, r.attempt, r.outcome, r.reason);
      const type = r.outcome === 'paid' ? 'refund_confirmed' : 'refund_failed';
      await recordMilestoneEvent(db, { milestoneId: r.milestoneId, key: `${r.refundId}:${r.outcome}:${r.attempt}`, type, data: { refundId: r.refundId, amount: r.amount, reason: r.reason } });
      if (r.outcome === 'failed') {
        await mailOnce(`${r.refundId}:failed:${r.attempt}:staff`, staffEmail, 'staff', {
          subject: `[finance] Remboursement ${r.refundId} en échec`,
          text: `Le remboursement ${r.refundId} (${r.amount} ${r.currency}, échéance ${r.milestoneId}) a échoué : ${r.reason ?? 'motif non précisé'}.\nRelancez-le une fois les coordonnées bancaires du client corrigées.`,
          html: `<p>Le remboursement ${r.refundId} a échoué : ${r.reason ?? 'motif non précisé'}.</p>`,
        });
      }
    },

    async finishProject(projectId: string): Promise<void> {
      await setProjectState(db, projectId, 'finished');
    },

    async setMilestoneAmount(m: { milestoneId: string; amount: number }): Promise<void> {
      await setMilestoneAmount(db, m.milestoneId, m.amount);
    },

    async addMilestone(m: { projectId: string; milestoneId: string; title: string; amount: number }): Promise<void> {
      await addMilestoneRow(db, m);
    },

    /** Applies an agreed amendment to one milestone through its workflow; a refusal is an answer, not a failure. */
    async amendMilestone(a: { milestoneId: string } & AmendArgs): Promise<{ ok: true; status: MilestoneStatus } | { ok: false; reason: string }> {
      if (!temporal) throw new Error('amendMilestone needs a Temporal client');
      try {
        const status = await temporal.workflow.getHandle(milestoneWorkflowId(a.milestoneId)).executeUpdate(amendUpdate, { args: [{ amendmentId: a.amendmentId, change: a.change }] });
        return { ok: true, status };
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) return { ok: false, reason: err.cause.message };
        // The milestone ended meanwhile (or ended while the update was in flight): nothing left to amend.
        if (err instanceof WorkflowNotFoundError) return { ok: false, reason: 'the milestone has ended' };
        throw err;
      }
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
