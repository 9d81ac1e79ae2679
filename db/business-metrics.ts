import type { Db } from './pool';

type Counted = { state: string; count: number };

/** What the platform holds and owes right now, as counts and sums of the read models and the ledger. */
export interface BusinessFigures {
  /** minor units held in escrow, by currency */
  escrow: { currency: string; amount: number }[];
  milestones: Counted[];
  disputes: Counted[];
  /** seconds since the longest-waiting escalated dispute reached the SMA; 0 when none waits */
  oldestEscalationSeconds: number;
  /** payout orders (one per attempt) and refund orders, by state */
  payouts: Counted[];
  refunds: Counted[];
}

const byState = (db: Db, table: 'milestones' | 'disputes' | 'payouts' | 'refunds') =>
  db.query<Counted>(`SELECT state, count(*) AS count FROM ${table} GROUP BY state ORDER BY state`);

export async function businessFigures(db: Db): Promise<BusinessFigures> {
  const [escrow, milestones, disputes, oldest, payouts, refunds] = await Promise.all([
    db.query<{ currency: string; amount: number }>(
      "SELECT currency, -sum(amount) AS amount FROM ledger_lines WHERE account = 'escrow' GROUP BY currency ORDER BY currency",
    ),
    byState(db, 'milestones'),
    byState(db, 'disputes'),
    db.query<{ seconds: number | null }>(
      "SELECT EXTRACT(EPOCH FROM now() - min(escalated_at))::float8 AS seconds FROM disputes WHERE state = 'escalated'",
    ),
    byState(db, 'payouts'),
    byState(db, 'refunds'),
  ]);
  return {
    escrow: escrow.rows.map((r) => ({ currency: r.currency.trim(), amount: Number(r.amount) })),
    milestones: milestones.rows,
    disputes: disputes.rows,
    oldestEscalationSeconds: Math.max(0, Math.round(oldest.rows[0]?.seconds ?? 0)),
    payouts: payouts.rows,
    refunds: refunds.rows,
  };
}
