import type { Db } from './pool';

export interface DepositIntentRecord {
  paymentIntentId: string;
  projectId: string;
  milestoneId: string;
  amount: number;
  currency: string;
  clientSecret: string;
  state: 'open' | 'succeeded' | 'cancelled';
  latestCharge: string | null;
  amountReceived: number | null;
}

type Row = {
  payment_intent_id: string; project_id: string; milestone_id: string; amount: number; currency: string;
  client_secret: string; state: DepositIntentRecord['state']; latest_charge: string | null; amount_received: number | null;
};
const COLUMNS = 'payment_intent_id, project_id, milestone_id, amount, currency, client_secret, state, latest_charge, amount_received';
const view = (r: Row): DepositIntentRecord => ({
  paymentIntentId: r.payment_intent_id, projectId: r.project_id, milestoneId: r.milestone_id, amount: r.amount, currency: r.currency,
  clientSecret: r.client_secret, state: r.state, latestCharge: r.latest_charge, amountReceived: r.amount_received,
});

/** The milestone's intent still open for payment, if any. */
export async function openDepositIntent(db: Db, milestoneId: string): Promise<DepositIntentRecord | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM deposit_intents WHERE milestone_id = $1 AND state = 'open' ORDER BY created_at DESC LIMIT 1`, [milestoneId]);
  return rows[0] && view(rows[0]);
}

export async function countDepositIntents(db: Db, milestoneId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*) AS n FROM deposit_intents WHERE milestone_id = $1', [milestoneId]);
  return rows[0].n;
}

/** Records a new intent, cancelling the one it replaces, in one transaction. */
export async function saveDepositIntent(db: Db, i: Omit<DepositIntentRecord, 'state' | 'latestCharge' | 'amountReceived'>, replaces?: string): Promise<void> {
  await db.query(
    `WITH cancelled AS (UPDATE deposit_intents SET state = 'cancelled' WHERE payment_intent_id = $7 AND state = 'open')
     INSERT INTO deposit_intents (payment_intent_id, project_id, milestone_id, amount, currency, client_secret, state)
     VALUES ($1, $2, $3, $4, $5, $6, 'open') ON CONFLICT (payment_intent_id) DO NOTHING`,
    [i.paymentIntentId, i.projectId, i.milestoneId, i.amount, i.currency, i.clientSecret, replaces ?? null],
  );
}

export async function findDepositIntent(db: Db, paymentIntentId: string): Promise<DepositIntentRecord | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM deposit_intents WHERE payment_intent_id = $1`, [paymentIntentId]);
  return rows[0] && view(rows[0]);
}

export async function findDepositIntentByCharge(db: Db, chargeId: string): Promise<DepositIntentRecord | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM deposit_intents WHERE latest_charge = $1`, [chargeId]);
  return rows[0] && view(rows[0]);
}

export async function markDepositSucceeded(db: Db, paymentIntentId: string, latestCharge: string | null, amountReceived: number): Promise<void> {
  await db.query(
    `UPDATE deposit_intents SET state = 'succeeded', latest_charge = coalesce($2, latest_charge), amount_received = $3,
       succeeded_at = coalesce(succeeded_at, now())
     WHERE payment_intent_id = $1`,
    [paymentIntentId, latestCharge, amountReceived],
  );
}

/** The milestone's paid deposits, newest first: where its payouts draw from and its refunds go back to. */
export async function succeededDeposits(db: Db, milestoneId: string): Promise<DepositIntentRecord[]> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM deposit_intents WHERE milestone_id = $1 AND state = 'succeeded' ORDER BY succeeded_at DESC`, [milestoneId]);
  return rows.map(view);
}
