import type { Db } from './pool';

export async function recordRefundOrder(
  db: Db,
  r: { id: string; projectId: string; milestoneId: string; amount: number; currency: string; reason: string; attempt: number },
): Promise<void> {
  await db.query(
    `INSERT INTO refunds (id, project_id, milestone_id, amount, currency, reason, state, attempt)
     VALUES ($1, $2, $3, $4, $5, $6, 'ordered', $7)
     ON CONFLICT (id) DO UPDATE SET state = 'ordered', attempt = EXCLUDED.attempt, failure_reason = NULL
     WHERE refunds.attempt < EXCLUDED.attempt`,
    [r.id, r.projectId, r.milestoneId, r.amount, r.currency, r.reason, r.attempt],
  );
}

export async function settleRefundOrder(db: Db, id: string, attempt: number, outcome: 'paid' | 'failed', reason?: string): Promise<void> {
  await db.query(
    `UPDATE refunds SET state = $3, failure_reason = $4, settled_at = now() WHERE id = $1 AND attempt = $2`,
    [id, attempt, outcome, outcome === 'failed' ? (reason ?? 'unspecified') : null],
  );
}

interface RefundRef {
  id: string;
  project_id: string;
  milestone_id: string;
  state: string;
  attempt: number;
  amount: number;
}

export async function findRefund(db: Db, id: string): Promise<RefundRef | undefined> {
  const { rows } = await db.query<RefundRef>(
    'SELECT id, project_id, milestone_id, state, attempt, amount FROM refunds WHERE id = $1',
    [id],
  );
  return rows[0];
}

interface RefundRecord {
  id: string;
  amount: number;
  reason: string;
  state: 'ordered' | 'paid' | 'failed';
  attempt: number;
  failure_reason: string | null;
  created_at: Date;
  settled_at: Date | null;
}

export async function listMilestoneRefunds(db: Db, milestoneId: string): Promise<RefundRecord[]> {
  const { rows } = await db.query<RefundRecord>(
    `SELECT id, amount, reason, state, attempt, failure_reason, created_at, settled_at FROM refunds
     WHERE milestone_id = $1 ORDER BY created_at, id`,
    [milestoneId],
  );
  return rows;
}

/** The payment provider's id for one attempt of a refund order (Stripe: re_…), which its refund events carry. */
export async function recordProviderRefund(db: Db, r: { providerRefundId: string; refundId: string; attempt: number; paymentIntentId?: string }): Promise<void> {
  await db.query(
    `INSERT INTO provider_refunds (provider_refund_id, refund_id, attempt, payment_intent_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (provider_refund_id) DO NOTHING`,
    [r.providerRefundId, r.refundId, r.attempt, r.paymentIntentId ?? null],
  );
}

export async function findProviderRefund(db: Db, providerRefundId: string): Promise<{ refundId: string; attempt: number } | undefined> {
  const { rows } = await db.query<{ refund_id: string; attempt: number }>('SELECT refund_id, attempt FROM provider_refunds WHERE provider_refund_id = $1', [providerRefundId]);
  return rows[0] && { refundId: rows[0].refund_id, attempt: rows[0].attempt };
}
