import { claimMail, enqueueMail, markMailRefused, markMailSent, releaseMail } from '../../db/outbox';
import type { Db } from '../../db/pool';
import type { Mailer, OutgoingMail } from './mailer';

/** How long an attempt holds a mail: longer than the SMTP timeouts let one attempt last (activities/mail/mailer). */
export const MAIL_LEASE_SECONDS = 60;

/** Another attempt is sending this mail right now: retried later, when it has been sent or its lease has expired. */
export class MailInFlight extends Error {
  constructor(key: string) {
    super(`mail ${key} is being sent by another attempt`);
    this.name = 'MailInFlight';
  }
}

/**
 * Sends a mail queued in the outbox (db/outbox.ts), once per key whatever the retries: the attempt takes a lease on
 * it, sends it under a Message-ID derived from its key, and marks it sent. A worker that dies after the SMTP server
 * took the mail and before the mark sends it again once the lease expires, under the same Message-ID (SMTP has no
 * idempotency; mail systems that see two copies of one Message-ID keep one). A permanent refusal (5xx: unknown
 * mailbox, say) is recorded and not retried: the notice stays in the in-app feed.
 */
export function deliverOnce({ db, mailer, leaseSeconds = MAIL_LEASE_SECONDS }: { db: Db; mailer: Mailer; leaseSeconds?: number }) {
  return async (key: string, mail: OutgoingMail): Promise<void> => {
    const claim = await claimMail(db, key, leaseSeconds);
    if (claim === 'done') return;
    if (claim === 'in-flight') throw new MailInFlight(key);
    try {
      await mailer.send({ ...mail, messageId: mailer.messageIdFor(key) });
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      if (!code || code < 500) {
        await releaseMail(db, key);
        throw err;
      }
      await markMailRefused(db, key, `SMTP ${code}`);
      return;
    }
    await markMailSent(db, key);
  };
}

/** Queues a mail with no feed entry (finance staff) and sends it once. */
export function sendOnce(deps: { db: Db; mailer: Mailer; leaseSeconds?: number }) {
  const deliver = deliverOnce(deps);
  return async (key: string, template: string, mail: OutgoingMail): Promise<void> => {
    await enqueueMail(deps.db, { key, recipient: mail.to, template, messageId: deps.mailer.messageIdFor(key) });
    await deliver(key, mail);
  };
}
