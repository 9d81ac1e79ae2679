import type { Db } from './pool';
import { linesFor, type Posting } from '../domain/ledger';

/**
 * Posts one balanced entry; a second post with the same key changes nothing and returns the first entry's id.
 * The entry and its lines are one statement, so one round trip and its own transaction: the balance trigger, deferred
 * to the commit, sees them together (npm run bench, scenario 5: a BEGIN, an INSERT per line and a COMMIT held 8
 * writers to a quarter of the goal).
 */
export async function postMovement(db: Db, post: Posting): Promise<{ entryId: number; duplicate: boolean }> {
  const lines = linesFor(post.movement);
  const inserted = await db.query<{ id: number }>(
    `WITH entry AS (
       INSERT INTO ledger_entries (idempotency_key, kind, project_id, milestone_id, currency)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id
     ), lines AS (
       INSERT INTO ledger_lines (entry_id, account, milestone_id, currency, amount)
       SELECT entry.id, line.account, $4, $5, line.amount FROM entry, unnest($6::text[], $7::bigint[]) AS line (account, amount)
     )
     SELECT id FROM entry`,
    [post.idempotencyKey, post.movement.type, post.projectId, post.milestoneId, post.currency, lines.map((l) => l.account), lines.map((l) => l.amount)],
  );
  if (inserted.rowCount === 1) return { entryId: inserted.rows[0].id, duplicate: false };
  const existing = await db.query<{ id: number }>('SELECT id FROM ledger_entries WHERE idempotency_key = $1', [post.idempotencyKey]);
  return { entryId: existing.rows[0].id, duplicate: true };
}

export interface MilestoneFigures {
  /** money placed in escrow for the milestone, including any excess (the escrow fee is apart), less chargebacks lost */
  deposited: number;
  /** left escrow for the provider (by the client, the SMA, a settlement or auto-release), before commission */
  released: number;
  /** left escrow back to the client, counted from the moment it leaves escrow */
  refunded: number;
  inEscrow: number;
  /** reached the provider's bank, after the commission */
  paidOut: number;
  /** the matchmaking commission earned on what was released */
  commission: number;
  /** the escrow fee the client paid and was not refunded */
  escrowFee: number;
  /** released, net of commission, not yet paid out */
  payable: number;
  /** refunds (with any escrow fee refunded) not yet confirmed by the client's bank */
  refundsPending: number;
}

export const ZERO_FIGURES: MilestoneFigures = {
  deposited: 0, released: 0, refunded: 0, inEscrow: 0, paidOut: 0, commission: 0, escrowFee: 0, payable: 0, refundsPending: 0,
};

/** Sums of int8 amounts, read as numbers (db/pool.ts). Lines posted by postMovement always carry a milestone. */
interface FiguresRecord {
  milestone_id: string;
  deposited: number;
  released: number;
  refunded: number;
  in_escrow: number;
  paid_out: number;
  commission: number;
  escrow_fee: number;
  payable: number;
  refunds_pending: number;
}

/**
 * What providers gave back of what had been released to them (SQL over lines `l` of entries `e`): it counts as
 * refunded, no longer as released.
 */
export const RELEASED_BACK_SQL = "coalesce(sum(l.amount) FILTER (WHERE e.kind = 'released_refund' AND l.account IN ('provider_payable', 'fees_commission')), 0)";
/** Released to providers, net of what they gave back (SQL over lines `l` of entries `e`). */
export const RELEASED_SQL = `coalesce(sum(l.amount) FILTER (WHERE e.kind = 'release' AND l.account = 'escrow'), 0) - ${RELEASED_BACK_SQL}`;

export interface ReleasePart {
  amount: number;
  commission: number;
  at: string;
}

/** Each release of each milestone of a project, oldest first: a milestone may be released in parts. */
export async function milestoneReleases(db: Db, projectId: string): Promise<Map<string, ReleasePart[]>> {
  const { rows } = await db.query<{ milestone_id: string; amount: number; commission: number; at: Date }>(
    `SELECT e.milestone_id,
       coalesce(sum(l.amount) FILTER (WHERE l.account = 'escrow'), 0) AS amount,
       coalesce(-sum(l.amount) FILTER (WHERE l.account = 'fees_commission'), 0) AS commission,
       e.created_at AS at
     FROM ledger_entries e JOIN ledger_lines l ON l.entry_id = e.id
     WHERE e.project_id = $1 AND e.kind = 'release'
     GROUP BY e.id ORDER BY e.id`,
    [projectId],
  );
  const parts = new Map<string, ReleasePart[]>();
  for (const r of rows) {
    const list = parts.get(r.milestone_id) ?? parts.set(r.milestone_id, []).get(r.milestone_id)!;
    list.push({ amount: Number(r.amount), commission: Number(r.commission), at: r.at.toISOString() });
  }
  return parts;
}

/** The *Gestion paiements* figures of each milestone of a project, derived from ledger lines only. */
export async function milestoneFigures(db: Db, projectId: string): Promise<Map<string, MilestoneFigures>> {
  const { rows } = await db.query<FiguresRecord>(
    `SELECT l.milestone_id,
       coalesce(-sum(l.amount) FILTER (WHERE e.kind = 'deposit' AND l.account IN ('escrow', 'refunds_due')), 0)
         - coalesce(sum(l.amount) FILTER (WHERE e.kind = 'chargeback_lost' AND l.account = 'escrow'), 0)        AS deposited,
       ${RELEASED_SQL} AS released,
       coalesce(sum(l.amount) FILTER (WHERE e.kind = 'refund' AND l.account = 'escrow'), 0)
         + coalesce(-sum(l.amount) FILTER (WHERE e.kind = 'deposit' AND l.account = 'refunds_due'), 0)
         + ${RELEASED_BACK_SQL}                                                                                AS refunded,
       coalesce(-sum(l.amount) FILTER (WHERE l.account = 'escrow'), 0)                                           AS in_escrow,
       coalesce(-sum(l.amount) FILTER (WHERE e.kind = 'payout_paid' AND l.account = 'psp_cash'), 0)              AS paid_out,
       coalesce(-sum(l.amount) FILTER (WHERE l.account = 'fees_commission'), 0)                                  AS commission,
       coalesce(-sum(l.amount) FILTER (WHERE l.account IN ('escrow_fee_held', 'fees_escrow')), 0)                AS escrow_fee,
       coalesce(-sum(l.amount) FILTER (WHERE l.account IN ('provider_payable', 'payouts_in_transit')), 0)        AS payable,
       coalesce(-sum(l.amount) FILTER (WHERE l.account IN ('refunds_due', 'refunds_in_transit')), 0)             AS refunds_pending
     FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
     WHERE e.project_id = $1
     GROUP BY l.milestone_id`,
    [projectId],
  );
  return new Map(
    rows.map((r) => [
      r.milestone_id,
      {
        deposited: r.deposited,
        released: r.released,
        refunded: r.refunded,
        inEscrow: r.in_escrow,
        paidOut: r.paid_out,
        commission: r.commission,
        escrowFee: r.escrow_fee,
        payable: r.payable,
        refundsPending: r.refunds_pending,
      },
    ]),
  );
}
