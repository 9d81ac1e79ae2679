import { recordNotice } from '../db/notifications';
import { isMailQueued } from '../db/outbox';
import { findPayoutAccount } from '../db/payout-accounts';
import type { PaymentProvider } from '../domain/payment-provider';
import type { Db } from '../db/pool';
import { milestoneState } from '../db/projects';
import type { NoticeRequest, StaffNotice } from '../workflows/activities/contract';
import type { Mailer } from './mail/mailer';
import { contactOf } from './contacts';
import { deliverOnce, sendOnce } from './mail/send-once';
import { renderMail, renderStaffMail } from './mail/templates';

type NoticeDeps = { db: Db; mailer: Mailer; staffEmail: string; mailLeaseSeconds?: number; payments?: Pick<PaymentProvider, 'needsOnboarding'> };

/** A message to the finance staff, once per key: `[finance] <subject>`, the text line by line. */
export function staffMail(deps: NoticeDeps) {
  const send = sendOnce({ ...deps, leaseSeconds: deps.mailLeaseSeconds });
  return async (notice: StaffNotice): Promise<void> => {
    await send(notice.key, 'staff', { to: deps.staffEmail, ...renderStaffMail(notice.subject, notice.text) });
  };
}

export function noticeActivities(deps: NoticeDeps) {
  const { db, mailer } = deps;
  const deliver = deliverOnce({ ...deps, leaseSeconds: deps.mailLeaseSeconds });
  return {
    /** One notice to one party: an entry in their in-app feed and an e-mail, each at most once per key. */
    async notify(request: NoticeRequest): Promise<void> {
      // A reminder is dropped once the milestone has left its state, unless an earlier attempt already wrote it.
      if (request.onlyWhileState && !(await isMailQueued(db, request.key))) {
        const state = await milestoneState(db, request.refs.milestoneId);
        if (state !== undefined && state !== request.onlyWhileState) return;
      }
      // Money released to a provider the payment provider cannot pay yet: the mail says what to do first.
      const payoutAccountNeeded =
        ['funds_released', 'partially_released', 'bonus_received'].includes(request.template) && deps.payments?.needsOnboarding === true && !(await findPayoutAccount(db, request.to.id))?.payoutsEnabled;
      const to = await contactOf(db, request.refs.projectId, request.to, request.party);
      const notice = renderMail(request.template, { ...request.data, recipientName: to.name, ...(payoutAccountNeeded ? { payoutAccountNeeded } : {}) });
      const { key, template } = request;
      const claim = await recordNotice(
        db,
        { key, userId: to.id, kind: template, title: notice.subject, body: notice.summary, ...request.refs },
        { key, recipient: to.email, template, messageId: mailer.messageIdFor(key) },
      );
      await deliver(key, { to: to.email, subject: notice.subject, text: notice.text, html: notice.html }, claim);
    },

    /** Tells the finance staff (failed payouts and refunds need a human). */
    notifyStaff: staffMail(deps),
  };
}
