import type { Db } from './pool';

export type PaymentRequestState = 'submitted' | 'scheduled' | 'paid' | 'rejected' | 'failed';

export interface NewPaymentRequest {
  id: string;
  projectId: string;
  milestoneId: string;
  providerId: string;
  invoiceId: string;
  invoiceNumber: string;
  amount: number;
  currency: string;
  scheduledFor: string;
}

export async function insertScheduledRequest(db: Db, r: NewPaymentRequest): Promise<void> {
  await db.query(
    `INSERT INTO payment_requests (id, project_id, milestone_id, provider_id, invoice_id, invoice_number, amount, currency,
                                   state, scheduled_for)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'scheduled', $9) ON CONFLICT (id) DO NOTHING`,
    [r.id, r.projectId, r.milestoneId, r.providerId, r.invoiceId, r.invoiceNumber, r.amount, r.currency, r.scheduledFor],
  );
}

export async function setPayoutId(db: Db, requestId: string, payoutId: string): Promise<void> {
  await db.query('UPDATE payment_requests SET payout_id = $2 WHERE id = $1', [requestId, payoutId]);
}

export async function settleRequest(
  db: Db,
  requestId: string,
  outcome: { state: 'paid' } | { state: 'failed'; reason: string },
): Promise<void> {
  await db.query(
    `UPDATE payment_requests SET state = $2, failure_reason = $3,
       paid_at = CASE WHEN $2 = 'paid' THEN coalesce(paid_at, now()) ELSE paid_at END
     WHERE id = $1`,
    [requestId, outcome.state, outcome.state === 'failed' ? outcome.reason : null],
  );
}

/** The provider's *demandes de paiement* dashboard, newest first. */
export async function listProviderRequests(db: Db, providerId: string) {
  const { rows } = await db.query(
    `SELECT id, project_id, milestone_id, invoice_number, amount, currency, state, payout_id, scheduled_for,
            failure_reason, created_at, paid_at
     FROM payment_requests WHERE provider_id = $1 ORDER BY created_at DESC, id`,
    [providerId],
  );
  return rows.map((r) => ({
    id: r.id as string,
    projectId: r.project_id as string,
    milestoneId: r.milestone_id as string,
    invoiceNumber: r.invoice_number as string,
    amount: r.amount as number,
    currency: r.currency as string,
    state: r.state as PaymentRequestState,
    payoutId: (r.payout_id as string | null) ?? null,
    scheduledFor: r.scheduled_for ? (r.scheduled_for as Date).toISOString() : null,
    failureReason: (r.failure_reason as string | null) ?? null,
    createdAt: (r.created_at as Date).toISOString(),
    paidAt: r.paid_at ? (r.paid_at as Date).toISOString() : null,
  }));
}

export async function findRequestByPayoutId(db: Db, payoutId: string) {
  const { rows } = await db.query('SELECT id, milestone_id FROM payment_requests WHERE payout_id = $1', [payoutId]);
  return rows[0] as { id: string; milestone_id: string } | undefined;
}

export async function invoiceNumberTaken(db: Db, providerId: string, invoiceNumber: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `SELECT 1 FROM payment_requests WHERE provider_id = $1 AND invoice_number = $2 AND state <> 'rejected'`,
    [providerId, invoiceNumber],
  );
  return (rowCount ?? 0) > 0;
}
