import type { Db } from './pool';
import { inTransaction } from './pool';
import { linesFor, type Movement } from './ledger-movements';

export interface PostMovement {
  idempotencyKey: string;
  projectId: string;
  milestoneId: string;
  currency: string;
  movement: Movement;
}

/** Posts one balanced entry; a second post with the same key changes nothing and returns the first entry's id. */
export async function postMovement(db: Db, post: PostMovement): Promise<{ entryId: number; duplicate: boolean }> {
  const lines = linesFor(post.movement);
  return inTransaction(db, async (tx) => {
    const inserted = await tx.query(
      `INSERT INTO ledger_entries (idempotency_key, kind, project_id, milestone_id, currency)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
      [post.idempotencyKey, post.movement.type, post.projectId, post.milestoneId, post.currency],
    );
    if (inserted.rowCount === 0) {
      const existing = await tx.query('SELECT id FROM ledger_entries WHERE idempotency_key = $1', [post.idempotencyKey]);
      return { entryId: existing.rows[0].id as number, duplicate: true };
    }
    const entryId = inserted.rows[0].id as number;
    for (const line of lines) {
      await tx.query(
        'INSERT INTO ledger_lines (entry_id, account, milestone_id, currency, amount) VALUES ($1, $2, $3, $4, $5)',
        [entryId, line.account, post.milestoneId, post.currency, line.amount],
      );
    }
    return { entryId, duplicate: false };
  });
}

export interface MilestoneFigures {
  deposited: number;
  released: number;
  refunded: number;
  inEscrow: number;
  paidOut: number;
}

export const ZERO_FIGURES: MilestoneFigures = { deposited: 0, released: 0, refunded: 0, inEscrow: 0, paidOut: 0 };

/** The *Gestion paiements* figures of each milestone of a project, derived from ledger lines only. */
export async function milestoneFigures(db: Db, projectId: string): Promise<Map<string, MilestoneFigures>> {
  const { rows } = await db.query(
    `SELECT l.milestone_id,
       coalesce(sum(l.amount) FILTER (WHERE l.account = 'psp_cash' AND e.kind = 'deposit'), 0)       AS deposited,
       coalesce(sum(l.amount) FILTER (WHERE l.account = 'escrow' AND e.kind = 'release'), 0)         AS released,
       coalesce(-sum(l.amount) FILTER (WHERE l.account = 'refunds_due' AND l.amount < 0), 0)        AS refunded,
       coalesce(-sum(l.amount) FILTER (WHERE l.account = 'escrow'), 0)                               AS in_escrow,
       coalesce(-sum(l.amount) FILTER (WHERE l.account = 'psp_cash' AND e.kind = 'payout_paid'), 0)  AS paid_out
     FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
     WHERE e.project_id = $1
     GROUP BY l.milestone_id`,
    [projectId],
  );
  return new Map(
    rows.map((r) => [
      r.milestone_id as string,
      { deposited: r.deposited, released: r.released, refunded: r.refunded, inEscrow: r.in_escrow, paidOut: r.paid_out },
    ]),
  );
}
