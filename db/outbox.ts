import type { PoolClient } from 'pg';
import type { Db } from './pool';

export interface OutboxMail {
  /** one mail per key, whatever the retries */
  key: string;
  recipient: string;
  template: string;
  /** the Message-ID every attempt sends it under */
  messageId: string;
}

/** Queues a mail unless its key is already queued or sent. */
export async function enqueueMail(db: Db | PoolClient, m: OutboxMail): Promise<void> {
  await db.query(
    `INSERT INTO sent_emails (key, recipient, template, message_id, state) VALUES ($1, $2, $3, $4, 'pending')
     ON CONFLICT (key) DO NOTHING`,
    [m.key, m.recipient, m.template, m.messageId],
  );
}

/**
 * Takes the right to send a queued mail for `leaseSeconds`: `send` when taken, `done` when it was already sent or
 * refused, `in-flight` while another attempt holds a lease that has not expired.
 */
export async function claimMail(db: Db, key: string, leaseSeconds: number): Promise<'send' | 'done' | 'in-flight'> {
  const claimed = await db.query(
    `UPDATE sent_emails SET claimed_at = now(), attempts = attempts + 1
     WHERE key = $1 AND state = 'pending' AND (claimed_at IS NULL OR claimed_at < now() - make_interval(secs => $2))`,
    [key, leaseSeconds],
  );
  if (claimed.rowCount === 1) return 'send';
  const { rows } = await db.query<{ state: 'pending' | 'sent' | 'refused' }>('SELECT state FROM sent_emails WHERE key = $1', [key]);
  if (!rows[0]) throw new Error(`no mail queued under ${key}`);
  return rows[0].state === 'pending' ? 'in-flight' : 'done';
}

export async function markMailSent(db: Db, key: string): Promise<void> {
  await db.query(`UPDATE sent_emails SET state = 'sent', sent_at = now() WHERE key = $1 AND state = 'pending'`, [key]);
}

/** An attempt that failed to send (SMTP unreachable, a 4xx) gives its lease back, so the retry need not wait for it. */
export async function releaseMail(db: Db, key: string): Promise<void> {
  await db.query(`UPDATE sent_emails SET claimed_at = NULL WHERE key = $1 AND state = 'pending'`, [key]);
}

/** The SMTP server refused the mail for good (5xx): it stays in the in-app feed, and is not sent again. */
export async function markMailRefused(db: Db, key: string, refusal: string): Promise<void> {
  await db.query(`UPDATE sent_emails SET state = 'refused', refusal = $2 WHERE key = $1 AND state = 'pending'`, [key, refusal]);
}
