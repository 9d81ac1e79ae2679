/** Fee invoices and timeline events, each one statement: once per key, numbered without gaps under concurrency. */
import { creditFee, issueFeeInvoice, type NewFeeInvoice } from '../../db/fee-invoices';
import { splitVat } from '../../domain/vat';
import { DEV_INVOICING } from '../helpers/workflow-env';
import { recordMilestoneEvent } from '../../db/milestone-events';
import type { Db } from '../../db/pool';
import { freshDatabase } from '../helpers/db';
import { PROVIDER, seedProject, uniq } from '../helpers/fixtures';

let db: Db;
beforeAll(async () => {
  ({ db } = await freshDatabase());
});
afterAll(() => db?.end());

async function invoiceFor(key: string): Promise<NewFeeInvoice> {
  const project = await seedProject(db, [1000]);
  return {
    key, kind: 'commission', basis: 'paid', projectId: project.id, milestoneId: project.milestones[0].id, party: 'provider',
    recipient: { id: PROVIDER.id, name: PROVIDER.name, email: PROVIDER.email }, baseAmount: 1000, currency: 'EUR', description: 'Commission',
    vat: splitVat(100, { kind: 'french_vat', ratePpm: 200_000 }), treatment: 'french_vat', seller: DEV_INVOICING.seller, settlement: 'acquittée',
  };
}
const seqOf = (number: string) => Number(number.split('-').pop());

test('the same key twice, or ten times at once: one invoice, one number, and the next number follows it', async () => {
  const f = await invoiceFor(uniq('key'));
  const first = await issueFeeInvoice(db, f);
  expect(first.number).toMatch(/^PF-\d{4}-\d{6}$/);
  expect(await issueFeeInvoice(db, f)).toEqual(first);
  const g = await invoiceFor(uniq('key'));
  const racing = await Promise.all(Array.from({ length: 10 }, () => issueFeeInvoice(db, g)));
  expect(new Set(racing.map((r) => r.number)).size).toBe(1);
  expect((await db.query('SELECT count(*) AS n FROM fee_invoices WHERE key = $1', [g.key])).rows[0].n).toBe(1);
  expect(seqOf(racing[0].number)).toBe(seqOf(first.number) + 1);
  const next = await issueFeeInvoice(db, await invoiceFor(uniq('key')));
  expect(seqOf(next.number)).toBe(seqOf(first.number) + 2);
});

test('twenty keys at once: twenty consecutive numbers', async () => {
  const requests = await Promise.all(Array.from({ length: 20 }, () => invoiceFor(uniq('key'))));
  const issued = await Promise.all(requests.map((f) => issueFeeInvoice(db, f)));
  const seqs = issued.map((i) => seqOf(i.number)).sort((a, b) => a - b);
  expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => seqs[0] + i));
});

test('a timeline event is appended once per key, and moves the read model the first time only', async () => {
  const project = await seedProject(db, [1000]);
  const milestoneId = project.milestones[0].id;
  const event = { milestoneId, key: `${milestoneId}:event:1`, type: 'funded', data: { amount: 1000 }, state: 'funded' as const };
  expect(await recordMilestoneEvent(db, event)).toBe(true);
  const stateOf = async () => (await db.query('SELECT state FROM milestones WHERE id = $1', [milestoneId])).rows[0].state;
  expect(await stateOf()).toBe('funded');
  await db.query("UPDATE milestones SET state = 'delivered' WHERE id = $1", [milestoneId]);
  expect(await recordMilestoneEvent(db, event)).toBe(false);
  expect(await stateOf()).toBe('delivered');
  expect(await recordMilestoneEvent(db, { milestoneId, key: `${milestoneId}:event:2`, type: 'note', data: {} })).toBe(true);
  expect(await stateOf()).toBe('delivered');
  expect((await db.query('SELECT count(*) AS n FROM milestone_events WHERE milestone_id = $1', [milestoneId])).rows[0].n).toBe(2);
});

test('a fee given back is credited against the invoices that carried it, oldest first, once per key, in its own series', async () => {
  const first = { ...(await invoiceFor(uniq('key'))), kind: 'escrow_fee' as const, vat: splitVat(30, { kind: 'french_vat', ratePpm: 200_000 }) };
  const second = { ...first, key: uniq('key'), vat: splitVat(60, { kind: 'french_vat', ratePpm: 200_000 }) };
  const a = await issueFeeInvoice(db, first);
  const b = await issueFeeInvoice(db, second);
  const credit = { key: uniq('refund'), kind: 'escrow_fee' as const, milestoneId: first.milestoneId, amount: 50, description: 'Remboursement', seller: DEV_INVOICING.seller, settlement: 'remboursé' };
  const given = await creditFee(db, credit);
  expect(given.credited).toBe(50);
  expect(given.notes.map((n) => n.number)).toEqual([expect.stringMatching(/^AV-\d{4}-\d{6}$/), expect.stringMatching(/^AV-\d{4}-\d{6}$/)]);
  expect(await creditFee(db, credit)).toEqual(given);
  const notes = await db.query(
    "SELECT credited_invoice_id, amount, net_amount, vat_amount FROM fee_invoices WHERE document = 'credit_note' AND key LIKE $1 || ':%' ORDER BY seq",
    [credit.key],
  );
  expect(notes.rows).toEqual([
    { credited_invoice_id: a.id, amount: 30, net_amount: 25, vat_amount: 5 },
    { credited_invoice_id: b.id, amount: 20, net_amount: 17, vat_amount: 3 },
  ]);
  // only what is left on the invoices can be credited: 40 of the 90 invoiced
  expect((await creditFee(db, { ...credit, key: uniq('refund'), amount: 100 })).credited).toBe(40);
});

test('credit notes of one invoice, each split as its part of it, add up to the invoice to the cent', async () => {
  const invoice = { ...(await invoiceFor(uniq('key'))), kind: 'escrow_fee' as const, vat: splitVat(100, { kind: 'french_vat', ratePpm: 200_000 }) };
  await issueFeeInvoice(db, invoice);
  const credit = (amount: number) =>
    creditFee(db, { key: uniq('refund'), kind: 'escrow_fee', milestoneId: invoice.milestoneId, amount, description: 'Remboursement', seller: DEV_INVOICING.seller, settlement: 'remboursé' });
  for (const amount of [33, 33, 34]) expect((await credit(amount)).credited).toBe(amount);
  const notes = await db.query<{ amount: number; net_amount: number; vat_amount: number }>(
    "SELECT amount, net_amount, vat_amount FROM fee_invoices WHERE document = 'credit_note' AND milestone_id = $1 ORDER BY seq",
    [invoice.milestoneId],
  );
  // alone, 33 / 1.2 and 34 / 1.2 round to 28 each: 84 of net for an invoice of 83
  expect(notes.rows).toEqual([
    { amount: 33, net_amount: 28, vat_amount: 5 },
    { amount: 33, net_amount: 27, vat_amount: 6 },
    { amount: 34, net_amount: 28, vat_amount: 6 },
  ]);
  expect(notes.rows.reduce((sum, n) => sum + n.net_amount, 0)).toBe(invoice.vat.net);
  expect(notes.rows.reduce((sum, n) => sum + n.vat_amount, 0)).toBe(invoice.vat.vat);
});
