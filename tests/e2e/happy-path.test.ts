/** An R0 project from creation to paid, through HTTP only, with the summary checked against the ledger at every step. */
import { CLIENT, PDF, PROVIDER, uniq } from '../helpers/fixtures';
import { startE2eSystem, type E2eSystem } from '../helpers/e2e-system';
import { eventually } from '../helpers/temporal';
import { freePort } from '../../lib/free-port';
import { seriesOf } from '../helpers/prometheus';

let sys: E2eSystem;
let workerMetrics: string;
beforeAll(async () => {
  const port = await freePort();
  workerMetrics = `http://127.0.0.1:${port}/metrics`;
  sys = await startE2eSystem({ PAYOUT_DELAY: '2s', PAYOUT_CALENDAR: 'any', PAYMENT_PROVIDER: 'sandbox', WORKER_METRICS_PORT: String(port) });
}, 90000);

/** `name{labels} value` lines of a Prometheus exposition, by series */
async function scrape(url: string): Promise<Map<string, number>> {
  return seriesOf(await (await fetch(url)).text());
}
afterAll(() => sys?.stop());

test('R0 happy path over HTTP: create, fund in two parts, deliver, release, invoice, paid, with e-mails', async () => {
  const { call, mail } = sys;
  const created = await call('POST', '/v1/projects', ['platform-1', 'platform'], {
    externalId: uniq('pel'),
    title: 'Site vitrine',
    formula: 'r0',
    currency: 'EUR',
    client: CLIENT,
    provider: PROVIDER,
    milestones: [{ title: 'Maquettes', amount: 120000 }, { title: 'Intégration', amount: 80000 }],
    commissionRate: 0.1,
    escrowFeeRate: 0.03,
  });
  expect(created.status).toBe(201);
  const projectId = created.body.id;
  const milestoneId = created.body.milestones[0].id;
  const ms = `/v1/projects/${projectId}/milestones/${milestoneId}`;
  const stateOf = async () => (await call('GET', `/v1/projects/${projectId}`, [CLIENT.id, 'client'])).body.milestones[0].state;

  expect((await sys.summaryMatchingLedger(projectId)).totals).toMatchObject({ amount: 200000, deposited: 0, inEscrow: 0 });

  // The client pays the milestone and the 3 % escrow fee (1 236,00 €), here in two transfers.
  expect((await call('GET', ms, [CLIENT.id, 'client'])).body).toMatchObject({ dueNow: 123600, escrowFeeDue: 3600 });
  await sys.deposit(milestoneId, 70000);
  await eventually(async () => ((await sys.summaryMatchingLedger(projectId)).milestones[0].deposited === 70000 ? true : undefined));
  expect(await stateOf()).toBe('awaiting_deposit');
  await sys.deposit(milestoneId, 53600);
  await eventually(async () => ((await stateOf()) === 'funded' ? true : undefined));
  expect((await sys.summaryMatchingLedger(projectId)).milestones[0]).toMatchObject({ deposited: 120000, inEscrow: 120000, released: 0, escrowFee: 3600 });
  const funded = await mail.waitFor((m) => m.to.includes(PROVIDER.email) && m.subject === 'Échéance financée : Maquettes');
  expect(funded.text).toContain('1 200,00 €');
  expect(funded.html).toContain('<p>');
  const whileFunded = await scrape(workerMetrics);
  expect(whileFunded.get('escrow_money_in_escrow_minor{currency="EUR"}')).toBe(120000);
  expect(whileFunded.get('escrow_milestones{state="funded"}')).toBe(1);

  expect((await call('POST', `${ms}/complete`, [PROVIDER.id, 'provider'])).body.state).toBe('delivered');
  await mail.waitFor((m) => m.to.includes(CLIENT.email) && m.subject === 'Travail livré : Maquettes');

  expect((await call('POST', `${ms}/release`, [CLIENT.id, 'client'])).body.state).toBe('released');
  expect((await sys.summaryMatchingLedger(projectId)).milestones[0]).toMatchObject({ released: 120000, inEscrow: 0, paidOut: 0, commission: 12000, payable: 108000 });
  await mail.waitFor((m) => m.to.includes(PROVIDER.email) && m.subject === 'Montant libéré : Maquettes');

  const form = new FormData();
  form.append('invoice', new Blob([PDF], { type: 'application/pdf' }), 'facture-001.pdf');
  form.append('invoiceNumber', 'FAC-2026-001');
  form.append('amount', '120000');
  const requested = await call('POST', `${ms}/payment-requests`, [PROVIDER.id, 'provider'], form);
  expect(requested.status).toBe(201);
  expect(requested.body.state).toBe('payment_requested');
  const dashboard = await call('GET', '/v1/me/payment-requests', [PROVIDER.id, 'provider']);
  expect(dashboard.body.items[0]).toMatchObject({ milestoneId, invoiceNumber: 'FAC-2026-001', amount: 120000, payoutAmount: 108000, state: 'scheduled' });

  await eventually(async () => ((await stateOf()) === 'paid' ? true : undefined), 30000, 'paid');
  const paid = await call('GET', '/v1/me/payment-requests', [PROVIDER.id, 'provider']);
  expect(paid.body.items[0]).toMatchObject({ state: 'paid', payoutId: expect.stringMatching(/^po_sbx_/), paidAt: expect.any(String) });
  const final = await sys.summaryMatchingLedger(projectId);
  // the contract's example (../shared/API.md): 1 200,00 € released, 1 080,00 € paid out after the 10 % commission
  expect(final.milestones[0]).toMatchObject({ state: 'paid', deposited: 120000, released: 120000, refunded: 0, inEscrow: 0, paidOut: 108000, commission: 12000, escrowFee: 3600 });
  expect(final.totals).toMatchObject({ amount: 200000, deposited: 120000, paidOut: 108000 });
  const invoices = await call('GET', '/v1/me/fee-invoices', [PROVIDER.id, 'provider']);
  expect(invoices.body.items).toEqual([expect.objectContaining({ kind: 'invoice', fee: 'commission', amount: 12000, number: expect.stringMatching(/^PF-/) })]);
  const document = await fetch(`${sys.api}${invoices.body.items[0].documentUrl}`, { headers: { authorization: `Bearer ${await sys.token(PROVIDER.id, 'provider')}` } });
  expect(document.headers.get('content-type')).toMatch(/text\/html/);
  expect(await document.text()).toContain('120,00 €');
  await mail.waitFor((m) => m.to.includes(PROVIDER.email) && m.subject === 'Paiement effectué : Maquettes');

  // the worker's metrics: the business figures and, passed on from the SDK's own exporter, the SDK's
  const worker = await scrape(workerMetrics);
  expect(worker.get('escrow_money_in_escrow_minor{currency="EUR"}')).toBe(0);
  expect(worker.get('escrow_milestones{state="paid"}')).toBe(1);
  expect(worker.get('escrow_payouts{state="paid"}')).toBe(1);
  expect(worker.get('escrow_worker_sdk_metrics_up')).toBe(1);
  expect([...worker.keys()].some((k) => k.startsWith('temporal_'))).toBe(true);
  const api = await scrape(`${sys.api}/metrics`);
  expect(api.get('http_requests_total{method="POST",route="/v1/projects/:projectId/milestones/:milestoneId/release",status="200"}')).toBe(1);

  const timeline = await call('GET', `${ms}/timeline`, ['med-1', 'mediator']);
  expect(timeline.body.events.map((e: { type: string }) => e.type)).toEqual([
    'deposit_received', 'deposit_received', 'funded', 'work_delivered', 'released', 'payment_requested', 'payout_ordered', 'paid',
  ]);
});
