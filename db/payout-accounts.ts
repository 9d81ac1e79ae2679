import type { Db } from './pool';

export interface PayoutAccountRecord {
  providerId: string;
  accountId: string;
  payoutsEnabled: boolean;
}

type Row = { provider_id: string; account_id: string; payouts_enabled: boolean };
const view = (r: Row): PayoutAccountRecord => ({ providerId: r.provider_id, accountId: r.account_id, payoutsEnabled: r.payouts_enabled });

export async function findPayoutAccount(db: Db, providerId: string): Promise<PayoutAccountRecord | undefined> {
  const { rows } = await db.query<Row>('SELECT provider_id, account_id, payouts_enabled FROM payout_accounts WHERE provider_id = $1', [providerId]);
  return rows[0] && view(rows[0]);
}

/** Keeps the first account made for a provider: a concurrent second creation (same Stripe idempotency key) is the same one. */
export async function savePayoutAccount(db: Db, a: PayoutAccountRecord): Promise<PayoutAccountRecord> {
  const { rows } = await db.query<Row>(
    `INSERT INTO payout_accounts (provider_id, account_id, payouts_enabled) VALUES ($1, $2, $3)
     ON CONFLICT (provider_id) DO UPDATE SET updated_at = payout_accounts.updated_at
     RETURNING provider_id, account_id, payouts_enabled`,
    [a.providerId, a.accountId, a.payoutsEnabled],
  );
  return view(rows[0]);
}

/** From `account.updated`, created at `at`: an event older than the one that set the status changes nothing. */
export async function setPayoutsEnabled(db: Db, accountId: string, enabled: boolean, at: Date): Promise<'applied' | 'stale' | 'unknown'> {
  const res = await db.query(
    `UPDATE payout_accounts SET payouts_enabled = $2, status_at = $3, updated_at = now()
     WHERE account_id = $1 AND (status_at IS NULL OR status_at <= $3)`,
    [accountId, enabled, at],
  );
  if (res.rowCount === 1) return 'applied';
  const known = await db.query('SELECT 1 FROM payout_accounts WHERE account_id = $1', [accountId]);
  return known.rowCount === 1 ? 'stale' : 'unknown';
}

/** A provider's e-mail as the projects name it (a token carries only the user id), for the account's contact. */
export async function providerEmail(db: Db, providerId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ provider_email: string }>(
    'SELECT provider_email FROM projects WHERE provider_id = $1 ORDER BY created_at DESC LIMIT 1',
    [providerId],
  );
  return rows[0]?.provider_email;
}
