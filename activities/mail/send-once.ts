import { recordSentMail, wasMailSent } from '../../db/outbox';
import type { Db } from '../../db/pool';
import type { Mailer, OutgoingMail } from './mailer';

/**
 * Sends one e-mail per key, whatever the retries. A permanent refusal by the SMTP server (5xx: unknown mailbox,
 * say) is recorded and not retried: the notice stays in the in-app feed.
 */
export function sendOnce({ db, mailer }: { db: Db; mailer: Mailer }) {
  return async (key: string, template: string, mail: OutgoingMail): Promise<void> => {
    if (await wasMailSent(db, key)) return;
    let messageId: string;
    try {
      ({ messageId } = await mailer.send(mail));
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      if (!code || code < 500) throw err;
      messageId = `refused:${code}`;
    }
    await recordSentMail(db, { key, recipient: mail.to, template, messageId });
  };
}
