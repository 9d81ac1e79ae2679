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

/** The right to send a queued mail, for one attempt: its number fences what the attempt writes back. */
export interface MailClaim {
  key: string;
  attempt: number;
  messageId: string;
}

interface ClaimRow {
  attempts: number;
  message_id: string;
}

/**
 * Queues a mail and claims it for the attempt that queued it, in one statement (and in the caller's transaction);
 * undefined when the key was queued before: a retry then claims it with `claimMail`.
 */
export async function enqueueMail(db: Db | PoolClient, m: OutboxMail): Promise<MailClaim | undefined> {
  const { rows } = await db.query<ClaimRow>(
    `INSERT INTO sent_emails (key, recipient, template, message_id, state, claimed_at, attempts, sent_at)
     VALUES ($1, $2, $3, $4, 'pending', now(), 1, NULL)
     ON CONFLICT (key) DO NOTHING RETURNING attempts, message_id`,
    [m.key, m.recipient, m.template, m.messageId],
  );
  return rows[0] && { key: m.key, attempt: rows[0].attempts, messageId: rows[0].message_id };
}

export async function isMailQueued(db: Db, key: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM sent_emails WHERE key = $1', [key]);
  return rowCount === 1;
}

/**
 * Claims a queued mail for `leaseSeconds`: the claim when taken, `done` when the mail was already sent or refused,
 * `in-flight` while another attempt holds a lease that has not expired.
 */
export async function claimMail(db: Db, key: string, leaseSeconds: number): Promise<MailClaim | 'done' | 'in-flight'> {
  const claimed = await db.query<ClaimRow>(
    `UPDATE sent_emails SET claimed_at = now(), attempts = attempts + 1
     WHERE key = $1 AND state = 'pending' AND (claimed_at IS NULL OR claimed_at < now() - make_interval(secs => $2))
     RETURNING attempts, message_id`,
    [key, leaseSeconds],
  );
  if (claimed.rows[0]) return { key, attempt: claimed.rows[0].attempts, messageId: claimed.rows[0].message_id };
  const { rows } = await db.query<{ state: 'pending' | 'sent' | 'refused' }>('SELECT state FROM sent_emails WHERE key = $1', [key]);
  if (!rows[0]) throw new Error(`no mail queued under ${key}`);
  return rows[0].state === 'pending' ? 'in-flight' : 'done';
}

/** How long until the lease on a claimed mail expires (0 when it has). */
export async function leaseLeftMs(db: Db, key: string, leaseSeconds: number): Promise<number> {
  const { rows } = await db.query<{ ms: number }>(
    `SELECT GREATEST(0, EXTRACT(EPOCH FROM claimed_at + make_interval(secs => $2) - now()) * 1000)::float8 AS ms FROM sent_emails WHERE key = $1`,
    [key, leaseSeconds],
  );
  return Math.ceil(rows[0]?.ms ?? 0);
}

// Each write below lands only if the claim is still the latest: an attempt that outlived its lease changes nothing.
const LATEST_CLAIM = `key = $1 AND attempts = $2 AND state = 'pending'`;

export async function markMailSent(db: Db, claim: MailClaim): Promise<void> {
  await db.query(`UPDATE sent_emails SET state = 'sent', sent_at = now() WHERE ${LATEST_CLAIM}`, [claim.key, claim.attempt]);
}

/** An attempt that failed to send (SMTP unreachable, a 4xx) gives its lease back, so the retry need not wait for it. */
export async function releaseMail(db: Db, claim: MailClaim): Promise<void> {
  await db.query(`UPDATE sent_emails SET claimed_at = NULL WHERE ${LATEST_CLAIM}`, [claim.key, claim.attempt]);
}

/** The SMTP server refused the mail for good (5xx): it stays in the in-app feed, and is not sent again. */
export async function markMailRefused(db: Db, claim: MailClaim, refusal: string): Promise<void> {
  await db.query(`UPDATE sent_emails SET state = 'refused', refusal = $3 WHERE ${LATEST_CLAIM}`, [claim.key, claim.attempt, refusal]);
}
