import type { Db } from './pool';
import type { PaymentRequestState, ScheduledPaymentRequest } from '../domain/payments';
import { inTransaction } from './pool';

/** Whether the provider used this invoice number in a request other than `requestId` (a cheap look before the upload is read). */
export async function invoiceNumberTaken(db: Db, providerId: string, invoiceNumber: string, requestId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `SELECT 1 FROM payment_requests WHERE provider_id = $1 AND invoice_number = $2 AND id <> $3 AND state <> 'rejected' LIMIT 1`,
    [providerId, invoiceNumber, requestId],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * Records a submitted request: `inserted`; `exists` when this very request (same id: the same upload sent again
 * with its Idempotency-Key) was recorded before; `number-used` when the provider already used this invoice number in
 * another request (the unique index decides, so two concurrent uploads cannot both take it).
 */
export async function insertSubmittedRequest(
  db: Db,
  r: Omit<ScheduledPaymentRequest, 'payoutAmount' | 'scheduledFor'>,
): Promise<'inserted' | 'exists' | 'number-used'> {
  try {
    const { rowCount } = await db.query(
      `INSERT INTO payment_requests (id, project_id, milestone_id, provider_id, invoice_id, invoice_number, amount, currency, state)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'submitted') ON CONFLICT (id) DO NOTHING`,
      [r.id, r.projectId, r.milestoneId, r.providerId, r.invoiceId, r.invoiceNumber, r.amount, r.currency],
    );
    return rowCount === 1 ? 'inserted' : 'exists';
  } catch (err) {
    if ((err as { code?: string }).code === '23505') return 'number-used';
    throw err;
  }
}

/** A request the API recorded but has not seen its workflow take: what handing it over again needs. */
export interface SubmittedRequest {
  id: string;
  milestone_id: string;
  provider_id: string;
  invoice_id: string;
  invoice_number: string;
  amount: number;
}

/** Requests still `submitted` after `olderThanSeconds`: their upload's answer was lost before the workflow took them. */
export async function listUnhandedRequests(db: Db, olderThanSeconds: number): Promise<SubmittedRequest[]> {
  const { rows } = await db.query<SubmittedRequest>(
    `SELECT id, milestone_id, provider_id, invoice_id, invoice_number, amount FROM payment_requests
     WHERE state = 'submitted' AND created_at < now() - make_interval(secs => $1) ORDER BY created_at LIMIT 100`,
    [olderThanSeconds],
  );
  return rows;
}

export async function rejectRequest(db: Db, id: string, reason: string): Promise<void> {
  await db.query(`UPDATE payment_requests SET state = 'rejected', failure_reason = $2 WHERE id = $1 AND state = 'submitted'`, [id, reason]);
}

/** The workflow accepted the request: it is scheduled for a payout run. */
export async function insertScheduledRequest(db: Db, r: ScheduledPaymentRequest): Promise<void> {
  await db.query(
    `INSERT INTO payment_requests (id, project_id, milestone_id, provider_id, invoice_id, invoice_number, amount, payout_amount,
                                   currency, state, scheduled_for)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'scheduled', $10)
     ON CONFLICT (id) DO UPDATE SET state = 'scheduled', payout_amount = EXCLUDED.payout_amount, scheduled_for = EXCLUDED.scheduled_for
     WHERE payment_requests.state = 'submitted'`,
    [r.id, r.projectId, r.milestoneId, r.providerId, r.invoiceId, r.invoiceNumber, r.amount, r.payoutAmount, r.currency, r.scheduledFor],
  );
}

/** A payout attempt was ordered: the request shows its id (the one the provider's webhooks carry). */
export async function recordPayoutAttempt(
  db: Db,
  p: { payoutId: string; paymentRequestId: string; milestoneId: string; attempt: number; amount: number; currency: string },
): Promise<void> {
  await inTransaction(db, async (tx) => {
    await tx.query(
      `INSERT INTO payouts (payout_id, payment_request_id, milestone_id, attempt, amount, currency, state)
       VALUES ($1, $2, $3, $4, $5, $6, 'ordered') ON CONFLICT (payout_id) DO NOTHING`,
      [p.payoutId, p.paymentRequestId, p.milestoneId, p.attempt, p.amount, p.currency],
    );
    await tx.query(
      `UPDATE payment_requests SET payout_id = $2, attempts = $3, state = 'scheduled', failure_reason = NULL, waiting_reason = NULL
       WHERE id = $1 AND attempts <= $3`,
      [p.paymentRequestId, p.payoutId, p.attempt],
    );
  });
}

/** The Transfer a payment request's payouts draw on (Stripe), made once. */
export async function requestTransfer(db: Db, paymentRequestId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ transfer_id: string | null }>('SELECT transfer_id FROM payment_requests WHERE id = $1', [paymentRequestId]);
  return rows[0]?.transfer_id ?? undefined;
}

export async function keepRequestTransfer(db: Db, paymentRequestId: string, transferId: string): Promise<void> {
  await db.query('UPDATE payment_requests SET transfer_id = coalesce(transfer_id, $2) WHERE id = $1', [paymentRequestId, transferId]);
}

/** Why a scheduled payout has not gone yet (the provider refused it for now); cleared once it is ordered. */
export async function setWaitingReason(db: Db, paymentRequestId: string, reason: string): Promise<void> {
  await db.query(`UPDATE payment_requests SET waiting_reason = $2 WHERE id = $1 AND state = 'scheduled'`, [paymentRequestId, reason]);
}

/** Every payout ordered for a payment request, one per attempt. */
export async function payoutIdsOf(db: Db, paymentRequestId: string): Promise<string[]> {
  const { rows } = await db.query<{ payout_id: string }>('SELECT payout_id FROM payouts WHERE payment_request_id = $1', [paymentRequestId]);
  return rows.map((r) => r.payout_id);
}

export async function settlePayoutAttempt(db: Db, payoutId: string, outcome: 'paid' | 'failed', reason?: string): Promise<void> {
  await inTransaction(db, async (tx) => {
    const { rows } = await tx.query<{ payment_request_id: string }>(
      `UPDATE payouts SET state = $2, failure_reason = $3, settled_at = coalesce(settled_at, now())
       WHERE payout_id = $1 RETURNING payment_request_id`,
      [payoutId, outcome, outcome === 'failed' ? (reason ?? 'unspecified') : null],
    );
    await tx.query(
      `UPDATE payment_requests SET state = $2, failure_reason = $3,
         paid_at = CASE WHEN $2 = 'paid' THEN coalesce(paid_at, now()) ELSE paid_at END
       WHERE id = $1 AND payout_id = $4`,
      [rows[0].payment_request_id, outcome, outcome === 'failed' ? (reason ?? 'unspecified') : null, payoutId],
    );
  });
}

interface ProviderRequestRecord {
  id: string;
  project_id: string;
  milestone_id: string;
  invoice_number: string;
  invoice_format: 'facturx' | 'pdf';
  amount: number;
  /** null until the workflow schedules the request */
  payout_amount: number | null;
  currency: string;
  state: PaymentRequestState;
  payout_id: string | null;
  attempts: number;
  scheduled_for: Date | null;
  failure_reason: string | null;
  waiting_reason: string | null;
  created_at: Date;
  paid_at: Date | null;
}

/** The provider's *demandes de paiement* dashboard, newest first. */
export async function listProviderRequests(db: Db, providerId: string) {
  const { rows } = await db.query<ProviderRequestRecord>(
    `SELECT r.id, r.project_id, r.milestone_id, r.invoice_number, r.amount, r.payout_amount, r.currency, r.state, r.payout_id,
            r.attempts, r.scheduled_for, r.failure_reason, r.waiting_reason, r.created_at, r.paid_at, coalesce(i.format, 'pdf') AS invoice_format
     FROM payment_requests r LEFT JOIN invoices i ON i.id = r.invoice_id WHERE r.provider_id = $1 ORDER BY r.created_at DESC, r.id`,
    [providerId],
  );
  return rows.map((r) => ({
    id: r.id,
    projectId: r.project_id,
    milestoneId: r.milestone_id,
    invoiceNumber: r.invoice_number,
    invoiceFormat: r.invoice_format,
    amount: r.amount,
    payoutAmount: r.payout_amount,
    currency: r.currency,
    state: r.state,
    payoutId: r.payout_id,
    attempts: r.attempts,
    scheduledFor: r.scheduled_for ? r.scheduled_for.toISOString() : null,
    failureReason: r.failure_reason,
    waitingReason: r.waiting_reason,
    createdAt: r.created_at.toISOString(),
    paidAt: r.paid_at ? r.paid_at.toISOString() : null,
  }));
}

interface PayoutRef {
  id: string;
  milestone_id: string;
}

export async function findRequestByPayoutId(db: Db, payoutId: string): Promise<PayoutRef | undefined> {
  const { rows } = await db.query<PayoutRef>(
    'SELECT payment_request_id AS id, milestone_id FROM payouts WHERE payout_id = $1',
    [payoutId],
  );
  return rows[0];
}

interface PaymentRequestRef {
  id: string;
  project_id: string;
  milestone_id: string;
  provider_id: string;
  state: string;
}

export async function findPaymentRequest(db: Db, id: string): Promise<PaymentRequestRef | undefined> {
  const { rows } = await db.query<PaymentRequestRef>(
    'SELECT id, project_id, milestone_id, provider_id, state FROM payment_requests WHERE id = $1',
    [id],
  );
  return rows[0];
}

/** What the provider has asked to be paid for a milestone so far (rejected requests aside). */
export async function requestedAmount(db: Db, milestoneId: string): Promise<number> {
  const { rows } = await db.query<{ total: number }>(
    "SELECT coalesce(sum(amount), 0) AS total FROM payment_requests WHERE milestone_id = $1 AND state <> 'rejected'",
    [milestoneId],
  );
  return rows[0].total;
}
