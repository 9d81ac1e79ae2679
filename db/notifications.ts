import type { NotificationKind } from '../domain/notifications';
import { enqueueMail, type MailClaim, type OutboxMail } from './outbox';
import { inTransaction, type Db } from './pool';

export interface NewNotification {
  key: string;
  userId: string;
  kind: NotificationKind;
  title: string;
  body: string;
  projectId: string;
  milestoneId: string;
  disputeId?: string;
}

/**
 * Adds a feed entry once per key, and queues its e-mail, claimed for this attempt, in the same transaction: a notice
 * is never half written. Returns the claim, or undefined when an earlier attempt had written the notice.
 */
export async function recordNotice(db: Db, n: NewNotification, mail: OutboxMail): Promise<MailClaim | undefined> {
  return inTransaction(db, async (tx) => {
    await tx.query(
      `INSERT INTO notifications (key, user_id, kind, title, body, project_id, milestone_id, dispute_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (key) DO NOTHING`,
      [n.key, n.userId, n.kind, n.title, n.body, n.projectId, n.milestoneId, n.disputeId ?? null],
    );
    return enqueueMail(tx, mail);
  });
}

/** project_id and milestone_id are nullable columns, but recordNotice always sets them. */
interface NotificationRecord {
  id: number;
  kind: NotificationKind;
  title: string;
  body: string;
  project_id: string;
  milestone_id: string;
  dispute_id: string | null;
  created_at: Date;
}

/** A user's feed, newest first. */
export async function listNotifications(db: Db, userId: string, limit: number) {
  const { rows } = await db.query<NotificationRecord>(
    `SELECT id, kind, title, body, project_id, milestone_id, dispute_id, created_at FROM notifications
     WHERE user_id = $1 ORDER BY id DESC LIMIT $2`,
    [userId, limit],
  );
  return rows.map((r) => ({
    id: String(r.id),
    kind: r.kind,
    title: r.title,
    body: r.body,
    projectId: r.project_id,
    milestoneId: r.milestone_id,
    disputeId: r.dispute_id,
    createdAt: r.created_at.toISOString(),
  }));
}
