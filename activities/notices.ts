import { insertNotification } from '../db/notifications';
import type { Db } from '../db/pool';
import { milestoneState } from '../db/projects';
import type { NoticeRequest, StaffNotice } from '../workflows/activities/contract';
import type { Mailer } from './mail/mailer';
import { sendOnce } from './mail/send-once';
import { renderMail } from './mail/templates';

const escapeHtml = (line: string) => line.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);

type NoticeDeps = { db: Db; mailer: Mailer; staffEmail: string };

/** A message to the finance staff, once per key: `[finance] <subject>`, the text line by line. */
export function staffMail(deps: NoticeDeps) {
  const send = sendOnce(deps);
  return async (notice: StaffNotice): Promise<void> => {
    const html = notice.text.split('\n').map((line) => `<p>${escapeHtml(line)}</p>`).join('\n');
    await send(notice.key, 'staff', { to: deps.staffEmail, subject: `[finance] ${notice.subject}`, text: notice.text, html });
  };
}

export function noticeActivities(deps: NoticeDeps) {
  const { db } = deps;
  const send = sendOnce(deps);
  return {
    /** One notice to one party: an entry in their in-app feed and an e-mail, each at most once per key. */
    async notify(request: NoticeRequest): Promise<void> {
      if (request.onlyWhileState) {
        const state = await milestoneState(db, request.refs.milestoneId);
        if (state !== undefined && state !== request.onlyWhileState) return;
      }
      const notice = renderMail(request.template, { ...request.data, recipientName: request.to.name });
      await insertNotification(db, { key: request.key, userId: request.to.id, kind: request.template, title: notice.subject, body: notice.summary, ...request.refs });
      await send(request.key, request.template, { to: request.to.email, subject: notice.subject, text: notice.text, html: notice.html });
    },

    /** Tells the finance staff (failed payouts and refunds need a human). */
    notifyStaff: staffMail(deps),
  };
}
