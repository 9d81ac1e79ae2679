import { ApplicationFailure } from '@temporalio/common';
import { claimMail, enqueueMail, leaseLeftMs, markMailRefused, markMailSent, releaseMail, type MailClaim } from '../../db/outbox';
import type { Db } from '../../db/pool';
import type { Mailer, OutgoingMail } from './mailer';

/**
 * How long an attempt holds a mail before a retry may take it over: the longest an attempt can still be talking to
 * the SMTP server (the mailer's connection, greeting and socket timeouts: 10 + 10 + 20 s), so that a worker that
 * died with a mail claimed delays it by this much, and a slow attempt still sending is not doubled by its retry.
 */
export const MAIL_LEASE_SECONDS = 40;

/**
 * Another attempt is sending this mail right now: retried when its lease expires (the retry is scheduled for that
 * moment rather than on the activity's backoff, which could add half a minute more).
 */
export class MailInFlight extends ApplicationFailure {
  constructor(key: string, retryInMs: number) {
    super(`mail ${key} is being sent by another attempt`, 'MailInFlight', false, undefined, undefined, Math.max(1000, retryInMs));
  }
}

/**
 * Sends a mail queued in the outbox (db/outbox.ts), once per key whatever the retries: with the claim its queuing
 * took, or, on a retry, a claim taken now; under the Message-ID stored with it; then marked sent. Only the latest
 * claim writes back. A permanent refusal (5xx: unknown mailbox, say) is recorded and not retried: the notice stays in
 * the in-app feed. What remains is SMTP's own window (docs/decisions.md, "The e-mail outbox").
 */
export function deliverOnce({ db, mailer, leaseSeconds = MAIL_LEASE_SECONDS }: { db: Db; mailer: Mailer; leaseSeconds?: number }) {
  return async (key: string, mail: OutgoingMail, queuedClaim?: MailClaim): Promise<void> => {
    const claim = queuedClaim ?? (await claimMail(db, key, leaseSeconds));
    if (claim === 'done') return;
    if (claim === 'in-flight') throw new MailInFlight(key, await leaseLeftMs(db, key, leaseSeconds));
    try {
      await mailer.send({ ...mail, messageId: claim.messageId });
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      if (!code || code < 500) {
        await releaseMail(db, claim);
        throw err;
      }
      await markMailRefused(db, claim, `SMTP ${code}`);
      return;
    }
    await markMailSent(db, claim);
  };
}

/** Queues a mail with no feed entry (finance staff) and sends it once. */
export function sendOnce(deps: { db: Db; mailer: Mailer; leaseSeconds?: number }) {
  const deliver = deliverOnce(deps);
  return async (key: string, template: string, mail: OutgoingMail): Promise<void> => {
    const claim = await enqueueMail(deps.db, { key, recipient: mail.to, template, messageId: deps.mailer.messageIdFor(key) });
    await deliver(key, mail, claim);
  };
}
