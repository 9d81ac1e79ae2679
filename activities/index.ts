/**
 * Every activity of the system, built from injected dependencies so that the worker wires real ones and tests may
 * wire their own. Workflows see these only as types through proxyActivities.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/pool';
import { postMovement, type PostMovement } from '../db/ledger';
import { recordMilestoneEvent, type MilestoneEvent } from '../db/milestone-events';
import { insertScheduledRequest, setPayoutId, settleRequest, type NewPaymentRequest } from '../db/payment-requests';
import { setProjectState } from '../db/projects';
import { insertNotification } from '../db/notifications';
import { saveDisputeSnapshot } from '../db/disputes';
import type { DisputeView } from '../workflows/milestone/contract';
import type { PartyInfo } from '../workflows/shared';
import type { Mailer } from './mail/mailer';
import { renderMail, type MailData, type TemplateName } from './mail/templates';
import type { PayoutGateway, PayoutReceipt } from './payouts/gateway';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  payouts: PayoutGateway;
}

export interface NoticeRequest {
  /** unique per notice: a retried activity sends it and adds it to the feed once */
  key: string;
  template: TemplateName;
  to: PartyInfo;
  data: Omit<MailData, 'recipientName'>;
  refs: { projectId: string; milestoneId: string; disputeId?: string };
}

export interface PayoutRequest {
  paymentRequestId: string;
  projectId: string;
  milestoneId: string;
  providerId: string;
  amount: number;
  currency: string;
}

export interface PayoutSettlement extends PayoutRequest {
  outcome: 'paid' | 'failed';
  reason?: string;
}

export function createActivities({ db, mailer, payouts }: ActivityDeps) {
  return {
    async recordEvent(event: MilestoneEvent): Promise<void> {
      await recordMilestoneEvent(db, event);
    },

    async moveMoney(post: PostMovement): Promise<void> {
      try {
        await postMovement(db, post);
      } catch (err) {
        // A movement that cannot balance is a bug in the caller: retrying cannot fix it.
        if (/does not balance|negative amount|not an integer/.test((err as Error).message)) {
          throw ApplicationFailure.nonRetryable((err as Error).message, 'LedgerRejected');
        }
        throw err;
      }
    },

    /** One notice to one party: an entry in their in-app feed and an e-mail, each at most once per key. */
    async notify(request: NoticeRequest): Promise<void> {
      const notice = renderMail(request.template, { ...request.data, recipientName: request.to.name });
      await insertNotification(db, {
        key: request.key,
        userId: request.to.id,
        kind: request.template,
        title: notice.subject,
        body: notice.summary,
        ...request.refs,
      });
      const seen = await db.query('SELECT 1 FROM sent_emails WHERE key = $1', [request.key]);
      if (seen.rowCount) return;
      const { messageId } = await mailer.send({ to: request.to.email, subject: notice.subject, text: notice.text, html: notice.html });
      await db.query(
        'INSERT INTO sent_emails (key, recipient, template, message_id) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING',
        [request.key, request.to.email, request.template, messageId],
      );
    },

    async saveDispute(dispute: DisputeView): Promise<void> {
      await saveDisputeSnapshot(db, dispute);
    },

    async schedulePaymentRequest(request: NewPaymentRequest): Promise<void> {
      await insertScheduledRequest(db, request);
    },

    async orderPayout(r: PayoutRequest): Promise<PayoutReceipt> {
      const receipt = await payouts.order({
        idempotencyKey: `payout:${r.paymentRequestId}`,
        providerId: r.providerId,
        amount: r.amount,
        currency: r.currency,
        reference: r.paymentRequestId,
      });
      await setPayoutId(db, r.paymentRequestId, receipt.payoutId);
      await postMovement(db, {
        idempotencyKey: `payout_ordered:${r.paymentRequestId}`,
        projectId: r.projectId,
        milestoneId: r.milestoneId,
        currency: r.currency,
        movement: { type: 'payout_ordered', amount: r.amount },
      });
      return receipt;
    },

    async settlePayout(s: PayoutSettlement): Promise<void> {
      await postMovement(db, {
        idempotencyKey: `payout_${s.outcome}:${s.paymentRequestId}`,
        projectId: s.projectId,
        milestoneId: s.milestoneId,
        currency: s.currency,
        movement: { type: s.outcome === 'paid' ? 'payout_paid' : 'payout_failed', amount: s.amount },
      });
      await settleRequest(db, s.paymentRequestId, s.outcome === 'paid' ? { state: 'paid' } : { state: 'failed', reason: s.reason ?? 'unknown' });
    },

    async finishProject(projectId: string): Promise<void> {
      await setProjectState(db, projectId, 'finished');
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
