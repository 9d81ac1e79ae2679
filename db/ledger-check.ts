import type { QueryResultRow } from 'pg';
import { DEBIT_ACCOUNTS } from '../domain/ledger';
import { RELEASED_BACK_SQL, RELEASED_SQL } from './ledger';
import type { Db } from './pool';

const DEBIT_SQL = DEBIT_ACCOUNTS.filter((a) => a !== 'psp_cash').map((a) => `'${a}'`).join(', ');

export interface Violation {
  rule: string;
  /** the offending rows: entry ids, milestone ids, payment request ids */
  subject: string;
  detail: string;
}

export interface LedgerCheckOptions {
  /**
   * Movements and documents younger than this are left for the next check where a rule compares the two (documents
   * follow their movement by an activity): 0 for a check run once things are still (tests, `npm run ledger:check`),
   * a couple of minutes for the worker's periodic check of a live system.
   */
  settleSeconds?: number;
}

interface Rule {
  rule: string;
  /** the offending rows, described */
  find: (db: Db, settleSeconds: number) => Promise<Omit<Violation, 'rule'>[]>;
}

/** A rule whose `sql` returns the offending rows, each of type `R`; `$1`, where the sql uses it, is the settle window. */
function rule<R extends QueryResultRow>(r: { rule: string; sql: string; describe: (row: R) => Omit<Violation, 'rule'> }): Rule {
  const settled = r.sql.includes('$1');
  return { rule: r.rule, find: async (db, settleSeconds) => (await db.query<R>(r.sql, settled ? [settleSeconds] : [])).rows.map((row) => r.describe(row)) };
}

// Each rule types its rows. Ledger ids are bigserial, counts and sums int8 or numeric: all read as numbers (db/pool.ts).
const RULES: Rule[] = [
  rule<{ id: number; idempotency_key: string; total: number; lines: number }>({
    rule: 'every entry balances',
    sql: `SELECT e.id, e.idempotency_key, coalesce(sum(l.amount), 0) AS total, count(l.id) AS lines
          FROM ledger_entries e LEFT JOIN ledger_lines l ON l.entry_id = e.id
          GROUP BY e.id HAVING coalesce(sum(l.amount), 0) <> 0 OR count(l.id) < 2`,
    describe: (r) => ({ subject: `entry ${r.id} (${r.idempotency_key})`, detail: `${r.lines} lines summing to ${r.total}` }),
  }),
  rule<{ id: number; entry_id: number }>({
    rule: 'lines belong to their entry (milestone, currency)',
    sql: `SELECT l.id, e.id AS entry_id FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
          WHERE l.milestone_id IS DISTINCT FROM e.milestone_id OR l.currency <> e.currency`,
    describe: (r) => ({ subject: `line ${r.id} of entry ${r.entry_id}`, detail: 'milestone or currency differs from its entry' }),
  }),
  rule<{ milestone_id: string | null; account: string; balance: number }>({
    rule: 'no account goes negative',
    // psp_cash may dip below zero for a milestone by what the provider charged or took back (its fees, chargebacks):
    // the platform's own balance covers those; the cash the milestone brought in may not.
    sql: `SELECT milestone_id, account, balance FROM (
            SELECT milestone_id, account, sum(amount) AS balance FROM ledger_lines GROUP BY milestone_id, account
            UNION ALL
            SELECT milestone_id, 'psp_cash before provider costs', sum(amount) FROM ledger_lines
            WHERE account IN ('psp_cash', ${DEBIT_SQL}) GROUP BY milestone_id) b
          WHERE (account IN (${DEBIT_SQL}, 'psp_cash before provider costs') AND balance < 0)
             OR (account NOT IN ('psp_cash', ${DEBIT_SQL}, 'psp_cash before provider costs') AND balance > 0)`,
    describe: (r) => ({ subject: `milestone ${r.milestone_id}, account ${r.account}`, detail: `balance ${r.balance} has the wrong sign` }),
  }),
  rule<{ milestone_id: string | null; deposited: number; released: number; refunded: number; in_escrow: number }>({
    rule: 'per milestone: deposited (net of chargebacks lost) = released + refunded + inEscrow',
    sql: `WITH f AS (
            SELECT l.milestone_id,
              coalesce(-sum(l.amount) FILTER (WHERE e.kind = 'deposit' AND l.account IN ('escrow', 'refunds_due')), 0)
                - coalesce(sum(l.amount) FILTER (WHERE e.kind = 'chargeback_lost' AND l.account = 'escrow'), 0) AS deposited,
              ${RELEASED_SQL} AS released,
              coalesce(sum(l.amount) FILTER (WHERE e.kind = 'refund' AND l.account = 'escrow'), 0)
                + coalesce(-sum(l.amount) FILTER (WHERE e.kind = 'deposit' AND l.account = 'refunds_due'), 0)
                + ${RELEASED_BACK_SQL} AS refunded,
              coalesce(-sum(l.amount) FILTER (WHERE l.account = 'escrow'), 0) AS in_escrow
            FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id GROUP BY l.milestone_id)
          SELECT * FROM f WHERE deposited <> released + refunded + in_escrow`,
    describe: (r) => ({ subject: `milestone ${r.milestone_id}`, detail: `deposited ${r.deposited} ≠ released ${r.released} + refunded ${r.refunded} + inEscrow ${r.in_escrow}` }),
  }),
  rule<{ milestone_id: string | null; released: number; paid_out: number; commission: number; payable: number }>({
    rule: 'per milestone: paid out + commission + payable = released',
    sql: `WITH f AS (
            SELECT l.milestone_id,
              ${RELEASED_SQL} AS released,
              coalesce(-sum(l.amount) FILTER (WHERE e.kind = 'payout_paid' AND l.account = 'psp_cash'), 0) AS paid_out,
              coalesce(-sum(l.amount) FILTER (WHERE l.account = 'fees_commission'), 0) AS commission,
              coalesce(-sum(l.amount) FILTER (WHERE l.account IN ('provider_payable', 'payouts_in_transit')), 0) AS payable
            FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id GROUP BY l.milestone_id)
          SELECT * FROM f WHERE paid_out + commission + payable <> released`,
    describe: (r) => ({ subject: `milestone ${r.milestone_id}`, detail: `paidOut ${r.paid_out} + commission ${r.commission} + payable ${r.payable} ≠ released ${r.released}` }),
  }),
  rule<{ milestone_id: string; commission: number; commission_documented: number; escrow_fee: number; escrow_fee_documented: number }>({
    rule: 'per milestone and party: fees charged = invoices − credit notes',
    // The commission is invoiced at release. The escrow fee is invoiced when the client pays it and credited when a
    // refund, a lost chargeback or a provider's refund of released money gives part of it back, so invoices − credit notes = paid − given back; a deposit
    // made before issue 16 did not invoice its fee, which is invoiced when earned instead: such a milestone is
    // compared once nothing of its fee is held. Documents are issued right after their movement: a milestone that
    // moved or was documented within the settle window ($1 seconds) is left for the next check.
    sql: `WITH ledger AS (
            SELECT l.milestone_id,
              coalesce(-sum(l.amount) FILTER (WHERE l.account = 'fees_commission'), 0) AS commission,
              coalesce(-sum(l.amount) FILTER (WHERE l.account = 'escrow_fee_held' AND e.kind = 'deposit'), 0)
                - coalesce(sum(l.amount) FILTER (WHERE l.account = 'escrow_fee_held' AND e.kind IN ('refund', 'chargeback_lost')), 0)
                - coalesce(sum(l.amount) FILTER (WHERE l.account = 'fees_escrow' AND e.kind = 'released_refund'), 0) AS escrow_fee,
              coalesce(-sum(l.amount) FILTER (WHERE l.account = 'escrow_fee_held'), 0) AS held,
              bool_and(e.kind <> 'deposit' OR l.account <> 'escrow_fee_held' OR l.amount = 0
                OR EXISTS (SELECT 1 FROM fee_invoices i WHERE i.key = e.idempotency_key || ':escrow_fee')) AS every_deposit_invoiced,
              max(e.created_at) AS last_moved
            FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id GROUP BY l.milestone_id),
          documents AS (
            SELECT milestone_id,
              coalesce(sum(CASE document WHEN 'invoice' THEN amount ELSE -amount END) FILTER (WHERE kind = 'commission'), 0) AS commission,
              coalesce(sum(CASE document WHEN 'invoice' THEN amount ELSE -amount END) FILTER (WHERE kind = 'escrow_fee'), 0) AS escrow,
              max(issued_at) AS last_issued
            FROM fee_invoices GROUP BY milestone_id),
          f AS (
            SELECT coalesce(l.milestone_id, d.milestone_id) AS milestone_id,
              coalesce(l.commission, 0) AS commission, coalesce(d.commission, 0) AS commission_documented,
              coalesce(l.escrow_fee, 0) AS escrow_fee, coalesce(d.escrow, 0) AS escrow_fee_documented,
              coalesce(l.held, 0) = 0 OR coalesce(l.every_deposit_invoiced, true) AS escrow_comparable,
              greatest(l.last_moved, d.last_issued) AS last_change
            FROM ledger l FULL JOIN documents d ON d.milestone_id = l.milestone_id)
          SELECT milestone_id, commission, commission_documented, escrow_fee, escrow_fee_documented FROM f
          WHERE last_change <= now() - make_interval(secs => $1)
            AND (commission <> commission_documented OR (escrow_comparable AND escrow_fee <> escrow_fee_documented))`,
    describe: (r) => ({
      subject: `milestone ${r.milestone_id}`,
      detail: `commission earned ${r.commission}, invoiced − credited ${r.commission_documented}; escrow fee paid − given back ${r.escrow_fee}, invoiced − credited ${r.escrow_fee_documented}`,
    }),
  }),
  rule<{ milestone_id: string; requested: number; released: number }>({
    rule: 'per milestone: payment requests accepted ≤ released',
    // a milestone released in parts has one payment request per part: together they never ask for more than was
    // released, net of what the provider gave back (a submitted request is not yet accepted by its workflow)
    sql: `WITH r AS (
            SELECT milestone_id, sum(amount) AS requested FROM payment_requests
            WHERE state IN ('scheduled', 'paid', 'failed') GROUP BY milestone_id),
          f AS (
            SELECT l.milestone_id,
              ${RELEASED_SQL} AS released
            FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id GROUP BY l.milestone_id)
          SELECT r.milestone_id, r.requested, coalesce(f.released, 0) AS released FROM r LEFT JOIN f ON f.milestone_id = r.milestone_id
          WHERE r.requested > coalesce(f.released, 0)`,
    describe: (r) => ({ subject: `milestone ${r.milestone_id}`, detail: `payment requests for ${r.requested} > released ${r.released}` }),
  }),
  rule<{ event_id: string; n: number; first_entry: number }>({
    rule: 'each webhook deposit is applied at most once',
    sql: `SELECT split_part(idempotency_key, ':deposit:', 2) AS event_id, count(*) AS n, min(id) AS first_entry
          FROM ledger_entries WHERE kind = 'deposit' GROUP BY 1 HAVING count(*) > 1`,
    describe: (r) => ({ subject: `event ${r.event_id}`, detail: `${r.n} deposit entries (first ${r.first_entry})` }),
  }),
  rule<{ payment_request_id: string; n: number }>({
    rule: 'each payment request is paid out at most once',
    sql: `SELECT payment_request_id, count(*) AS n FROM payouts WHERE state = 'paid' GROUP BY 1 HAVING count(*) > 1
          UNION ALL
          SELECT split_part(split_part(idempotency_key, ':payout_paid:', 2), ':', 1), count(*)
          FROM ledger_entries WHERE kind = 'payout_paid' GROUP BY 1 HAVING count(*) > 1`,
    describe: (r) => ({ subject: `payment request ${r.payment_request_id}`, detail: `${r.n} payouts paid` }),
  }),
  rule<{ payout_id: string; payment_request_id: string; attempt: number; entries: number }>({
    rule: 'every paid payout has exactly one ledger entry',
    sql: `SELECT p.payout_id, p.payment_request_id, p.attempt,
            (SELECT count(*) FROM ledger_entries e WHERE e.idempotency_key = p.milestone_id || ':payout_paid:' || p.payment_request_id || ':' || p.attempt) AS entries
          FROM payouts p WHERE p.state = 'paid'
          AND (SELECT count(*) FROM ledger_entries e WHERE e.idempotency_key = p.milestone_id || ':payout_paid:' || p.payment_request_id || ':' || p.attempt) <> 1`,
    describe: (r) => ({ subject: `payout ${r.payout_id}`, detail: `${r.entries} payout_paid entries for attempt ${r.attempt} of ${r.payment_request_id}` }),
  }),
  rule<{ external_id: string; state: string; pending: number }>({
    rule: 'a closed chargeback leaves nothing pending',
    sql: `SELECT i.external_id, i.state, coalesce(sum(l.amount), 0) AS pending
          FROM incidents i
          JOIN ledger_entries e ON e.idempotency_key LIKE i.milestone_id || ':chargeback:' || i.external_id || ':%'
          JOIN ledger_lines l ON l.entry_id = e.id AND l.account = 'chargebacks_pending'
          WHERE i.kind = 'chargeback' AND i.state <> 'open'
          GROUP BY i.external_id, i.state HAVING coalesce(sum(l.amount), 0) <> 0`,
    describe: (r) => ({ subject: `chargeback ${r.external_id}`, detail: `${r.state}, yet ${r.pending} still pending` }),
  }),
  rule<{ charge: string; n: number }>({
    rule: "each charge's provider fee is recorded at most once",
    sql: `SELECT split_part(idempotency_key, ':psp_fee:', 2) AS charge, count(*) AS n
          FROM ledger_entries WHERE kind = 'psp_fee' GROUP BY 1 HAVING count(*) > 1`,
    describe: (r) => ({ subject: `charge ${r.charge}`, detail: `${r.n} fee entries` }),
  }),
];

/** Checks the ledger's invariants over the whole database; an empty list means every cent is accounted for. */
export async function checkLedger(db: Db, { settleSeconds = 0 }: LedgerCheckOptions = {}): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const r of RULES) {
    violations.push(...(await r.find(db, settleSeconds)).map((v) => ({ rule: r.rule, ...v })));
  }
  return violations;
}

export const LEDGER_RULES = RULES.map((r) => r.rule);

/** How many entries and lines the ledger holds. */
export async function ledgerSize(db: Db): Promise<{ entries: number; lines: number }> {
  const { rows } = await db.query<{ entries: number; lines: number }>(
    'SELECT (SELECT count(*) FROM ledger_entries) AS entries, (SELECT count(*) FROM ledger_lines) AS lines',
  );
  return rows[0];
}
