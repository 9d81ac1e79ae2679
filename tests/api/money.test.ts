import request from 'supertest';
import { strayDepositRefundId } from '../../workflows/refund/contract';
import { checkLedger } from '../../db/ledger-check';
import { CLIENT, PDF, PROVIDER, uniq } from '../helpers/fixtures';
import { expectProblem, projectBody, startApiSystem, type ApiSystem } from '../helpers/api-system';
import { eventually } from '../helpers/temporal';

let sys: ApiSystem;
beforeAll(async () => {
  sys = await startApiSystem({ PAYMENT_PROVIDER: 'webhook', PAYOUT_DELAY: '0s' });
});
afterEach(async () => {
  expect(await checkLedger(sys.db)).toEqual([]);
});
afterAll(() => sys?.close());

const client = () => sys.as(CLIENT.id, 'client');
const provider = () => sys.as(PROVIDER.id, 'provider');

async function project(milestones: { title: string; amount: number }[], fees = { commissionRate: 0.1, escrowFeeRate: 0.03 }, currency = 'EUR') {
  const { body } = await (await sys.as('platform-1', 'platform')).post('/v1/projects').send(projectBody({ milestones, ...fees, currency }));
  return body as { id: string; milestones: { id: string; amount: number }[]; commissionRate: number; escrowFeeRate: number };
}
const ms = (p: { id: string }, id: string) => `/v1/projects/${p.id}/milestones/${id}`;
const fundFully = (p: { id: string }, milestoneId: string) => sys.fund(p.id, milestoneId);

test('per-project fee rates are kept; the escrow fee is due with the deposit', async () => {
  const p = await project([{ title: 'A', amount: 100000 }], { commissionRate: 0.05, escrowFeeRate: 0.02 });
  expect(p).toMatchObject({ commissionRate: 0.05, escrowFeeRate: 0.02 });
  expect((await (await client()).get(ms(p, p.milestones[0].id))).body).toMatchObject({ dueNow: 102000, escrowFeeDue: 2000 });
  expectProblem(await (await sys.as('platform-1', 'platform')).post('/v1/projects').send(projectBody({ commissionRate: 2 })), 400);
});

test('amendments over HTTP: propose, refusals, accept; the summary follows the new amounts', async () => {
  const p = await project([{ title: 'A', amount: 100000 }, { title: 'B', amount: 40000 }]);
  await fundFully(p, p.milestones[0].id);
  const path = `/v1/projects/${p.id}/amendments`;
  expectProblem(await (await client()).post(path).send({ changes: [] }), 400);
  expectProblem(await (await client()).post(path).send({ changes: [{ milestoneId: 'ms_nope', amount: 1 }] }), 422);
  expectProblem(await (await sys.as('med-1', 'mediator')).post(path).send({ changes: [{ remove: p.milestones[1].id }] }), 403);
  const proposed = await (await client()).post(path).send({ changes: [{ milestoneId: p.milestones[0].id, amount: 60000 }, { remove: p.milestones[1].id }, { add: { title: 'C', amount: 5000 } }] });
  expect(proposed.status).toBe(201);
  expectProblem(await (await client()).post(path).send({ changes: [{ remove: p.milestones[0].id }] }), 409);
  expectProblem(await (await client()).post(`${path}/${proposed.body.id}/accept`), 403);
  expect(expectProblem(await (await provider()).post(`${path}/amd_unknown/accept`), 404).detail).toMatch(/no amendment amd_unknown/);
  const bare = await (await client()).post(path).set('content-type', 'application/json').send('"AAA"');
  expect(expectProblem(bare, 400).detail).toBe('the body is not a JSON object (or array)');
  const accepted = await (await provider()).post(`${path}/${proposed.body.id}/accept`);
  expect(accepted.status).toBe(200);
  expect(accepted.body).toMatchObject({ state: 'applied', results: [{ applied: true }, { applied: true }, { applied: true }] });
  const listed = await (await client()).get(path);
  expect(listed.body.items.map((a: { id: string }) => a.id)).toEqual([proposed.body.id]);

  const summary = (await (await client()).get(`/v1/projects/${p.id}/payments`)).body;
  expect(summary.milestones.map((m: { amount: number; state: string }) => [m.amount, m.state])).toEqual([[60000, 'funded'], [40000, 'cancelled'], [5000, 'awaiting_deposit']]);
  expect(summary.milestones[0]).toMatchObject({ deposited: 100000, refunded: 40000, inEscrow: 60000, escrowFee: 1800 });
});

test('currencies: ISO 4217 codes only; amounts are in the currency\'s minor units (JPY has none) and shown so', async () => {
  const platform = await sys.as('platform-1', 'platform');
  for (const currency of ['XYZ', 'eur', 'BGN', 'XAU']) {
    const refused = expectProblem(await platform.post('/v1/projects').send(projectBody({ currency })), 400);
    expect(refused.errors).toEqual([{ path: 'currency', message: 'an active ISO 4217 currency code, e.g. EUR' }]);
  }
  const yen = await project([{ title: 'A', amount: 120000 }], { commissionRate: 0.1, escrowFeeRate: 0.03 }, 'JPY');
  const id = yen.milestones[0].id;
  expect((await (await client()).get(ms(yen, id))).body).toMatchObject({ currency: 'JPY', dueNow: 123600, escrowFeeDue: 3600 });
  await fundFully(yen, id);
  await (await client()).post(`${ms(yen, id)}/release`);
  const invoice = await eventually(async () =>
    (await (await client()).get('/v1/me/fee-invoices')).body.items.find((f: { milestoneId: string }) => f.milestoneId === id),
  );
  expect(invoice).toMatchObject({ kind: 'invoice', fee: 'escrow_fee', amount: 3600, netAmount: 3000, vatAmount: 600, vatRate: 0.2, currency: 'JPY' });
  const doc = await (await client()).get(invoice.documentUrl);
  expect(doc.text).toMatch(/>3\s600\sJPY</);
  expect(doc.text).toMatch(/>3\s000\sJPY</);
  expect(doc.text).toMatch(/sur 120\s000\sJPY/);
});

test('a failed payout is retried by the provider without a new invoice; fee invoices are listed and downloadable', async () => {
  const p = await project([{ title: 'A', amount: 20000 }]);
  const id = p.milestones[0].id;
  await fundFully(p, id);
  await (await client()).post(`${ms(p, id)}/release`);
  const upload = await (await provider()).post(`${ms(p, id)}/payment-requests`).attach('invoice', PDF, 'f.pdf').field('invoiceNumber', uniq('F')).field('amount', '20000');
  expect(upload.status).toBe(201);
  const requestOf = async () => (await (await provider()).get('/v1/me/payment-requests')).body.items.find((i: { milestoneId: string }) => i.milestoneId === id);
  const ordered = await eventually(async () => ((await requestOf())?.payoutId ? await requestOf() : undefined));
  expect(ordered).toMatchObject({ amount: 20000, payoutAmount: 18000, attempts: 1 });
  // the order reached the provider's inbox under the id the dashboard shows, which its payout.* events carry back
  const payoutOrders = () => sys.orders!.orders.filter((o) => o.type === 'payout.order' && o.data.reference === ordered.id);
  expect(payoutOrders().map((o) => o.data)).toEqual([expect.objectContaining({ payoutId: ordered.payoutId, amount: 18000, currency: 'EUR', milestoneId: id })]);
  expectProblem(await (await provider()).post(`/v1/payment-requests/${ordered.id}/retry`), 409);
  await sys.webhook('payout.failed', { payoutId: ordered.payoutId, reason: 'IBAN invalide' });
  await eventually(async () => ((await requestOf()).state === 'failed' ? true : undefined));
  expectProblem(await (await sys.as('p-2', 'provider')).post(`/v1/payment-requests/${ordered.id}/retry`), 404);
  expect((await (await provider()).post(`/v1/payment-requests/${ordered.id}/retry`)).status).toBe(200);
  const second = await eventually(async () => {
    const r = await requestOf();
    return r.attempts === 2 && r.payoutId && r.payoutId !== ordered.payoutId ? r : undefined;
  });
  expect(payoutOrders().map((o) => o.data.payoutId)).toEqual([ordered.payoutId, second.payoutId]);
  await sys.webhook('payout.paid', { payoutId: second.payoutId });
  await eventually(async () => ((await requestOf()).state === 'paid' ? true : undefined));
  expect((await (await client()).get(`/v1/projects/${p.id}/payments`)).body.milestones[0]).toMatchObject({ paidOut: 18000, commission: 2000, escrowFee: 600 });

  const mine = (await (await provider()).get('/v1/me/fee-invoices')).body.items.filter((f: { milestoneId: string }) => f.milestoneId === id);
  expect(mine).toEqual([expect.objectContaining({ kind: 'invoice', fee: 'commission', amount: 2000, baseAmount: 20000 })]);
  const theirs = (await (await client()).get('/v1/me/fee-invoices')).body.items.filter((f: { milestoneId: string }) => f.milestoneId === id);
  expect(theirs).toEqual([expect.objectContaining({ kind: 'invoice', fee: 'escrow_fee', amount: 600 })]);
  const doc = await (await provider()).get(mine[0].documentUrl);
  expect(doc.status).toBe(200);
  expect(doc.headers['content-type']).toMatch(/^text\/html/);
  expect(doc.text).toContain(mine[0].number);
  expectProblem(await (await client()).get(mine[0].documentUrl), 404);
  // no gaps, in each series: the invoices' and the credit notes'
  const series = (await sys.db.query(`SELECT series, array_agg(seq ORDER BY seq) AS seqs FROM fee_invoices GROUP BY series`)).rows;
  expect(series.length).toBeGreaterThan(0);
  for (const { series: name, seqs } of series) expect([name, seqs.map(Number)]).toEqual([name, seqs.map((_: unknown, i: number) => i + 1)]);
});

test('refunds: refund.failed leaves it for staff to retry (platform only), refund.paid confirms; a deposit after the end is refunded', async () => {
  const p = await project([{ title: 'A', amount: 10000 }], { commissionRate: 0, escrowFeeRate: 0 });
  const id = p.milestones[0].id;
  await sys.webhook('deposit.succeeded', { milestoneId: id, amount: 4000, currency: 'EUR', reference: 'part' });
  await eventually(async () => ((await (await client()).get(ms(p, id))).body.deposited === 4000 ? true : undefined));
  const cancelled = await (await client()).post(`${ms(p, id)}/cancel`);
  expect([cancelled.status, cancelled.text]).toEqual([200, expect.any(String)]);
  const refund = await eventually(async () => (await sys.db.query('SELECT id, state FROM refunds WHERE milestone_id = $1', [id])).rows[0]);
  expectProblem(await (await sys.as('platform-1', 'platform')).post(`/v1/refunds/${refund.id}/retry`), 409);
  await sys.webhook('refund.failed', { refundId: refund.id, reason: 'compte clos' });
  await eventually(async () => ((await sys.db.query('SELECT state FROM refunds WHERE id = $1', [refund.id])).rows[0].state === 'failed' ? true : undefined));
  expectProblem(await (await client()).post(`/v1/refunds/${refund.id}/retry`), 403);
  expect((await (await sys.as('platform-1', 'platform')).post(`/v1/refunds/${refund.id}/retry`)).status).toBe(200);
  await eventually(async () => ((await sys.db.query('SELECT attempt FROM refunds WHERE id = $1', [refund.id])).rows[0].attempt === 2 ? true : undefined));
  await sys.webhook('refund.paid', { refundId: refund.id });
  await eventually(async () => ((await sys.db.query('SELECT state FROM refunds WHERE id = $1', [refund.id])).rows[0].state === 'paid' ? true : undefined));
  const ended = await eventually(async () => {
    const res = await (await sys.as('platform-1', 'platform')).post(`/v1/refunds/${refund.id}/retry`);
    return res.status === 409 && /refund-closed$/.test(JSON.parse(res.text).type) ? res : undefined;
  });
  expect(JSON.parse(ended.text).detail).toBe('this refund has ended: there is nothing to retry');

  const late = await sys.webhook('deposit.succeeded', { milestoneId: id, amount: 6000, currency: 'EUR', reference: 'late' });
  expect(late.body.outcome).toMatch(/^refunded/);
  await eventually(async () => {
    const s = (await (await client()).get(`/v1/projects/${p.id}/payments`)).body.milestones[0];
    return s.deposited === 10000 ? s : undefined;
  });
  expect((await (await client()).get(`/v1/projects/${p.id}/payments`)).body.milestones[0]).toMatchObject({ deposited: 10000, refunded: 10000, inEscrow: 0 });

  // The longest event id the contract takes makes a stray refund id longer than 100: its settlement is still accepted.
  const eventId = `evt_${'x'.repeat(96)}`;
  await sys.webhook('deposit.succeeded', { milestoneId: id, amount: 100, currency: 'EUR', reference: 'late-2' }, eventId);
  const stray = await eventually(async () => (await sys.db.query('SELECT id FROM refunds WHERE id = $1', [strayDepositRefundId(id, eventId)])).rows[0]);
  expect(stray.id.length).toBeGreaterThan(100);
  expect((await sys.webhook('refund.paid', { refundId: stray.id })).body).toMatchObject({ received: true, outcome: 'applied' });
});

test('a broken multipart body is a 400, never a 5xx', async () => {
  const p = await project([{ title: 'A', amount: 1000 }]);
  const bearer = `Bearer ${await sys.token(PROVIDER.id, 'provider')}`;
  const res = await request(sys.app)
    .post(`${ms(p, p.milestones[0].id)}/payment-requests`)
    .set('authorization', bearer)
    .set('content-type', 'multipart/form-data')
    .send('--x\r\nContent-Disposition: form-data; name="invoiceNumber"\r\n\r\nF-1');
  expectProblem(res, 400);
});
