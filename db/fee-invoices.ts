import type { FeeKind } from '../domain/fees';
import type { Party } from '../domain/parties';
import { newId } from '../lib/ids';
import type { Db } from './pool';

export interface NewFeeInvoice {
  key: string;
  kind: FeeKind;
  projectId: string;
  milestoneId: string;
  party: Party;
  recipient: { id: string; name: string; email: string };
  baseAmount: number;
  amount: number;
  currency: string;
  description: string;
}

interface IssuedFeeInvoice {
  id: string;
  number: string;
}

/**
 * Issues a fee invoice once per key, numbered `PF-<year>-<seq>` without gaps: the counter moves in the same
 * statement as the insert, so a failed insert gives its number back. One statement (a release issues two invoices
 * inside its update): a concurrent issue of the same key waits on the key's index and fails with a unique violation,
 * after which the first one's invoice is read.
 */
export async function issueFeeInvoice(db: Db, f: NewFeeInvoice): Promise<IssuedFeeInvoice> {
  const series = `PF-${new Date().getUTCFullYear()}`;
  try {
    const { rows } = await db.query<IssuedFeeInvoice>(
      `WITH existing AS (SELECT id, number FROM fee_invoices WHERE key = $4),
       counter AS (
         INSERT INTO counters (name, value) SELECT $3, 1 WHERE NOT EXISTS (SELECT 1 FROM existing)
         ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value),
       issued AS (
         INSERT INTO fee_invoices (id, number, series, seq, key, kind, project_id, milestone_id, party, user_id, recipient_name,
                                   recipient_email, base_amount, amount, currency, description)
         SELECT $1, $2 || '-' || lpad(value::text, greatest(6, length(value::text)), '0'), $2, value, $4, $5, $6, $7, $8, $9, $10,
                $11, $12, $13, $14, $15
         FROM counter
         RETURNING id, number)
       SELECT id, number FROM issued UNION ALL SELECT id, number FROM existing`,
      [newId('fi'), series, `fee_invoice:${series}`, f.key, f.kind, f.projectId, f.milestoneId, f.party, f.recipient.id, f.recipient.name,
        f.recipient.email, f.baseAmount, f.amount, f.currency, f.description],
    );
    return rows[0];
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
    const { rows } = await db.query<IssuedFeeInvoice>('SELECT id, number FROM fee_invoices WHERE key = $1', [f.key]);
    if (!rows[0]) throw err;
    return rows[0];
  }
}

export interface FeeInvoiceRow {
  id: string;
  number: string;
  kind: FeeKind;
  projectId: string;
  projectTitle: string;
  milestoneId: string;
  milestoneTitle: string;
  party: Party;
  userId: string;
  recipientName: string;
  recipientEmail: string;
  baseAmount: number;
  amount: number;
  currency: string;
  description: string;
  issuedAt: string;
}

const SELECT = `SELECT f.*, p.title AS project_title, m.title AS milestone_title
  FROM fee_invoices f JOIN projects p ON p.id = f.project_id JOIN milestones m ON m.id = f.milestone_id`;

/** The columns of SELECT: fee_invoices' own and the two titles. */
interface FeeInvoiceRecord {
  id: string;
  number: string;
  series: string;
  seq: number;
  key: string;
  kind: FeeKind;
  project_id: string;
  milestone_id: string;
  party: Party;
  user_id: string;
  recipient_name: string;
  recipient_email: string;
  base_amount: number;
  amount: number;
  currency: string;
  description: string;
  issued_at: Date;
  project_title: string;
  milestone_title: string;
}

function toRow(r: FeeInvoiceRecord): FeeInvoiceRow {
  return {
    id: r.id, number: r.number, kind: r.kind, projectId: r.project_id, projectTitle: r.project_title, milestoneId: r.milestone_id,
    milestoneTitle: r.milestone_title, party: r.party, userId: r.user_id, recipientName: r.recipient_name,
    recipientEmail: r.recipient_email, baseAmount: r.base_amount, amount: r.amount, currency: r.currency,
    description: r.description, issuedAt: r.issued_at.toISOString(),
  };
}

export async function listUserFeeInvoices(db: Db, userId: string): Promise<FeeInvoiceRow[]> {
  const { rows } = await db.query<FeeInvoiceRecord>(
    `${SELECT} WHERE f.user_id = $1 ORDER BY f.series DESC, f.seq DESC`,
    [userId],
  );
  return rows.map(toRow);
}

export async function findFeeInvoice(db: Db, id: string): Promise<FeeInvoiceRow | undefined> {
  const { rows } = await db.query<FeeInvoiceRecord>(`${SELECT} WHERE f.id = $1`, [id]);
  return rows[0] ? toRow(rows[0]) : undefined;
}
