import type { FeeKind } from '../domain/fees';
import type { Company, SellerIdentity } from '../domain/legal-identity';
import type { Party, PartyInfo } from '../domain/parties';
import { splitVatPart, type VatSplit, type VatTreatment } from '../domain/vat';
import { newId } from '../lib/ids';
import type { PoolClient } from 'pg';
import { inTransaction, type Db } from './pool';


export type FeeDocument = 'invoice' | 'credit_note';
/** When a fee was invoiced: when the client paid it (VAT being due on payment), or when it was earned (before issue 16). */
export type InvoiceBasis = 'paid' | 'earned';

export interface NewFeeInvoice {
  key: string;
  kind: FeeKind;
  basis: InvoiceBasis;
  projectId: string;
  milestoneId: string;
  party: Party;
  recipient: PartyInfo;
  baseAmount: number;
  currency: string;
  description: string;
  vat: VatSplit;
  treatment: VatTreatment['kind'];
  seller: SellerIdentity;
  /** how it was paid: "acquittée" and by what (the deposit, a deduction from the payout) */
  settlement: string;
}

export interface IssuedFeeInvoice {
  id: string;
  number: string;
}

const SERIES: Record<FeeDocument, string> = { invoice: 'PF', credit_note: 'AV' };

/**
 * Issues a document once per key, numbered `PF-<year>-<seq>` (invoices) or `AV-<year>-<seq>` (credit notes) without
 * gaps: the counter moves in the same statement as the insert, so a failed insert gives its number back. One statement
 * (a release issues its invoice inside its update): a concurrent issue of the same key waits on the key's index and
 * fails with a unique violation, after which the first one's document is read.
 */
async function issueDocument(db: Db | PoolClient, document: FeeDocument, f: NewFeeInvoice, credited?: string): Promise<IssuedFeeInvoice> {
  const series = `${SERIES[document]}-${new Date().getUTCFullYear()}`;
  const counter = document === 'invoice' ? `fee_invoice:${series}` : `credit_note:${series}`;
  try {
    const { rows } = await db.query<IssuedFeeInvoice>(
      `WITH existing AS (SELECT id, number FROM fee_invoices WHERE key = $4),
       counter AS (
         INSERT INTO counters (name, value) SELECT $3, 1 WHERE NOT EXISTS (SELECT 1 FROM existing)
         ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value),
       issued AS (
         INSERT INTO fee_invoices (id, number, series, seq, key, kind, project_id, milestone_id, party, user_id, recipient_name,
                                   recipient_email, base_amount, amount, currency, description, document, basis, net_amount,
                                   vat_amount, vat_rate_ppm, vat_treatment, seller, buyer_company, settlement, credited_invoice_id)
         SELECT $1, $2 || '-' || lpad(value::text, greatest(6, length(value::text)), '0'), $2, value, $4, $5, $6, $7, $8, $9, $10,
                $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25
         FROM counter
         RETURNING id, number)
       SELECT id, number FROM issued UNION ALL SELECT id, number FROM existing`,
      [newId(document === 'invoice' ? 'fi' : 'cn'), series, counter, f.key, f.kind, f.projectId, f.milestoneId, f.party, f.recipient.id,
        f.recipient.name, f.recipient.email, f.baseAmount, f.vat.gross, f.currency, f.description, document, f.basis, f.vat.net,
        f.vat.vat, f.vat.ratePpm, f.treatment, f.seller, f.recipient.company ?? null, f.settlement, credited ?? null],
    );
    return rows[0];
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
    const { rows } = await db.query<IssuedFeeInvoice>('SELECT id, number FROM fee_invoices WHERE key = $1', [f.key]);
    if (!rows[0]) throw err;
    return rows[0];
  }
}

export const issueFeeInvoice = (db: Db, f: NewFeeInvoice): Promise<IssuedFeeInvoice> => issueDocument(db, 'invoice', f);

/**
 * How much of a milestone's earned escrow fee no document covers yet: what the ledger says it earned, less its escrow
 * fee invoices (when paid or when earned) net of their credit notes, other than the document `key`. Nothing for a
 * milestone whose deposits invoiced their fee; all of it for one funded before issue 16; the old deposit's part for
 * one funded before and topped up after.
 */
export async function escrowFeeNotDocumented(db: Db, milestoneId: string, key: string): Promise<number> {
  const { rows } = await db.query<{ earned: number; documented: number }>(
    `SELECT (SELECT coalesce(-sum(amount), 0) FROM ledger_lines WHERE milestone_id = $1 AND account = 'fees_escrow') AS earned,
            (SELECT coalesce(sum(CASE document WHEN 'invoice' THEN amount ELSE -amount END), 0)
             FROM fee_invoices WHERE milestone_id = $1 AND kind = 'escrow_fee' AND key <> $2) AS documented`,
    [milestoneId, key],
  );
  return Math.max(0, rows[0].earned - rows[0].documented);
}

export interface FeeCredit {
  /** the movement's key: the credit notes are `<key>:<n>` */
  key: string;
  kind: FeeKind;
  milestoneId: string;
  amount: number;
  description: string;
  seller: SellerIdentity;
  settlement: string;
}

/**
 * Credit notes for `amount` of a fee given back, against the milestone's invoices of that fee issued when paid, the
 * oldest first, each credited at most what it still carries; the VAT of each follows its invoice. One transaction,
 * serialised per milestone: a retry finds the notes of its key and issues nothing more. Returns what was credited
 * (less than asked only if the fee had not been invoiced when paid: deposits made before issue 16).
 */
export async function creditFee(db: Db, c: FeeCredit): Promise<{ credited: number; notes: IssuedFeeInvoice[] }> {
  return inTransaction(db, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`fee-credit:${c.milestoneId}`]);
    const done = await tx.query<IssuedFeeInvoice & { amount: number }>(
      "SELECT id, number, amount FROM fee_invoices WHERE milestone_id = $2 AND key LIKE $1 || ':%' AND document = 'credit_note' ORDER BY seq",
      [c.key, c.milestoneId],
    );
    if (done.rows.length > 0) return { credited: done.rows.reduce((s, r) => s + r.amount, 0), notes: done.rows.map(({ id, number }) => ({ id, number })) };
    const open = await tx.query<FeeInvoiceRecord & { remaining: number }>(
      `SELECT f.*, f.amount - coalesce((SELECT sum(n.amount) FROM fee_invoices n WHERE n.credited_invoice_id = f.id), 0) AS remaining
       FROM fee_invoices f WHERE f.milestone_id = $1 AND f.kind = $2 AND f.document = 'invoice' AND f.basis = 'paid'
       ORDER BY f.series, f.seq`,
      [c.milestoneId, c.kind],
    );
    const notes: IssuedFeeInvoice[] = [];
    let left = c.amount;
    for (const inv of open.rows) {
      const amount = Math.min(left, inv.remaining);
      if (amount <= 0) continue;
      const treatment = inv.vat_treatment === 'french_vat' ? { kind: inv.vat_treatment, ratePpm: inv.vat_rate_ppm } : { kind: inv.vat_treatment };
      // split as the part of the invoice it is: the notes of one invoice add up to its net and VAT to the cent
      const vat = splitVatPart(inv.amount - inv.remaining, amount, treatment);
      notes.push(
        await issueDocument(tx, 'credit_note', {
          key: `${c.key}:${notes.length + 1}`, kind: c.kind, basis: 'paid', projectId: inv.project_id, milestoneId: c.milestoneId,
          party: inv.party, recipient: { id: inv.user_id, name: inv.recipient_name, email: inv.recipient_email, company: inv.buyer_company ?? undefined },
          baseAmount: inv.base_amount, currency: inv.currency, description: c.description, vat,
          treatment: inv.vat_treatment, seller: c.seller, settlement: c.settlement,
        }, inv.id),
      );
      left -= amount;
      if (left === 0) break;
    }
    return { credited: c.amount - left, notes };
  });
}

export interface FeeInvoiceRow {
  id: string;
  number: string;
  document: FeeDocument;
  kind: FeeKind;
  basis: InvoiceBasis;
  projectId: string;
  projectTitle: string;
  milestoneId: string;
  milestoneTitle: string;
  party: Party;
  userId: string;
  recipientName: string;
  recipientEmail: string;
  buyerCompany?: Company;
  baseAmount: number;
  amount: number;
  netAmount: number;
  vatAmount: number;
  vatRatePpm: number;
  vatTreatment: VatTreatment['kind'];
  currency: string;
  description: string;
  /** the seller as it was at issue; undefined for documents issued before issue 16 (the current settings stand in) */
  seller?: SellerIdentity;
  settlement: string;
  issuedAt: string;
  credited?: { id: string; number: string; issuedAt: string };
}

const SELECT = `SELECT f.*, p.title AS project_title, m.title AS milestone_title, c.number AS credited_number, c.issued_at AS credited_issued_at
  FROM fee_invoices f JOIN projects p ON p.id = f.project_id JOIN milestones m ON m.id = f.milestone_id
  LEFT JOIN fee_invoices c ON c.id = f.credited_invoice_id`;

/** The columns of fee_invoices. */
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
  document: FeeDocument;
  basis: InvoiceBasis;
  net_amount: number;
  vat_amount: number;
  vat_rate_ppm: number;
  vat_treatment: VatTreatment['kind'];
  seller: SellerIdentity | null;
  buyer_company: Company | null;
  settlement: string;
  credited_invoice_id: string | null;
}

/** SELECT's columns: fee_invoices' own, the two titles and the credited invoice's number and date. */
type FeeInvoiceJoined = FeeInvoiceRecord & { project_title: string; milestone_title: string; credited_number: string | null; credited_issued_at: Date | null };

function toRow(r: FeeInvoiceJoined): FeeInvoiceRow {
  return {
    id: r.id, number: r.number, document: r.document, kind: r.kind, basis: r.basis, projectId: r.project_id,
    projectTitle: r.project_title, milestoneId: r.milestone_id, milestoneTitle: r.milestone_title, party: r.party,
    userId: r.user_id, recipientName: r.recipient_name, recipientEmail: r.recipient_email,
    ...(r.buyer_company ? { buyerCompany: r.buyer_company } : {}),
    baseAmount: r.base_amount, amount: r.amount, netAmount: r.net_amount, vatAmount: r.vat_amount, vatRatePpm: r.vat_rate_ppm,
    vatTreatment: r.vat_treatment, currency: r.currency, description: r.description, ...(r.seller ? { seller: r.seller } : {}),
    settlement: r.settlement, issuedAt: r.issued_at.toISOString(),
    ...(r.credited_invoice_id && r.credited_number && r.credited_issued_at
      ? { credited: { id: r.credited_invoice_id, number: r.credited_number, issuedAt: r.credited_issued_at.toISOString() } }
      : {}),
  };
}

export async function listUserFeeInvoices(db: Db, userId: string): Promise<FeeInvoiceRow[]> {
  const { rows } = await db.query<FeeInvoiceJoined>(`${SELECT} WHERE f.user_id = $1 ORDER BY f.issued_at DESC, f.seq DESC`, [userId]);
  return rows.map(toRow);
}

export async function findFeeInvoice(db: Db, id: string): Promise<FeeInvoiceRow | undefined> {
  const { rows } = await db.query<FeeInvoiceJoined>(`${SELECT} WHERE f.id = $1`, [id]);
  return rows[0] ? toRow(rows[0]) : undefined;
}
