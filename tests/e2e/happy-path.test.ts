/**
 * The whole system as it runs in production, through HTTP: the API and worker processes (api/main.ts,
 * worker/main.ts) against a Temporal dev server, PostgreSQL and an SMTP listener. An R0 project goes from
 * creation to paid, and at every step the payment summary is checked against the ledger itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { signPayload } from '../../api/webhook-signature';
import type { Db } from '../../db/pool';
import { DEV_AUTH_JWT_SECRET, DEV_PAYMENTS_WEBHOOK_SECRET } from '../../lib/config';
import { freePort } from '../../lib/free-port';
import { startMailCatcher, type MailCatcher } from '../../lib/mail-catcher';
import { signToken } from '../../lib/tokens';
import type { Role } from '../../workflows/shared';
import { freshDatabase } from '../helpers/db';
import { CLIENT, PDF, PROVIDER, uniq } from '../helpers/fixtures';
import { eventually, startDevServer } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '..', '..');
let env: TestWorkflowEnvironment;
let db: Db;
let mail: MailCatcher;
let api: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  let url: string;
  [env, { db, url }, mail] = await Promise.all([startDevServer(), freshDatabase(), startMailCatcher()]);
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  const childEnv = {
    ...process.env,
    PORT: String(port),
    DATABASE_URL: url,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: uniq('e2e'),
    SMTP_URL: `smtp://127.0.0.1:${mail.smtpPort}`,
    PAYOUT_DELAY: '2s',
    PAYOUT_CALENDAR: 'any',
    PAYOUT_GATEWAY: 'sandbox',
    LOG_LEVEL: 'warn',
  };
  for (const entry of ['worker/main.ts', 'api/main.ts']) {
    children.push(spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [entry], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'ignore', 'inherit'] }));
  }
  await eventually(async () => ((await fetch(`${api}/ready`).then((r) => r.ok, () => false)) ? true : undefined), 60000, 'API ready');
}, 90000);

afterAll(async () => {
  await Promise.all(
    children.map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGINT');
    })),
  );
  await Promise.all([env?.teardown(), mail?.close(), db?.end()]);
});

async function call(method: string, route: string, who: [string, Role] | null, body?: unknown) {
  const headers: Record<string, string> = {};
  if (who) headers.authorization = `Bearer ${await signToken(DEV_AUTH_JWT_SECRET, { sub: who[0], role: who[1] })}`;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(`${api}${route}`, { method, headers, body: payload });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function deposit(milestoneId: string, amount: number) {
  const body = JSON.stringify({ id: uniq('evt'), type: 'deposit.succeeded', data: { milestoneId, amount, currency: 'EUR', reference: uniq('vir') } });
  const res = await fetch(`${api}/v1/webhooks/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'payment-signature': signPayload(DEV_PAYMENTS_WEBHOOK_SECRET, body) },
    body,
  });
  expect(res.status).toBe(200);
}

/** The payment summary, checked against balances read straight from the ledger lines. */
async function summaryMatchingLedger(projectId: string) {
  const { status, body } = await call('GET', `/v1/projects/${projectId}/payments`, [PROVIDER.id, 'provider']);
  expect(status).toBe(200);
  for (const m of body.milestones) {
    const { rows } = await db.query('SELECT account, sum(amount)::bigint AS balance FROM ledger_lines WHERE milestone_id = $1 GROUP BY account', [m.milestoneId]);
    const debit = (account: string): number => rows.find((r) => r.account === account)?.balance ?? 0;
    // liabilities carry credit balances (negative sums)
    const balance = (account: string) => 0 - debit(account);
    expect(m.inEscrow).toBe(balance('escrow'));
    expect(m.deposited - m.released - m.refunded).toBe(m.inEscrow);
    expect(m.released).toBe(m.paidOut + balance('provider_payable') + balance('payouts_in_transit'));
    expect(m.refunded).toBe(balance('refunds_due'));
    expect(m.deposited - m.paidOut).toBe(debit('psp_cash'));
  }
  for (const key of ['amount', 'deposited', 'released', 'refunded', 'inEscrow', 'paidOut']) {
    expect(body.totals[key]).toBe(body.milestones.reduce((s: number, m: Record<string, number>) => s + m[key], 0));
  }
  return body;
}

test('R0 happy path over HTTP: create, fund in two parts, deliver, release, invoice, paid, with e-mails', async () => {
  const created = await call('POST', '/v1/projects', ['platform-1', 'platform'], {
    externalId: uniq('pel'),
    title: 'Site vitrine',
    formula: 'r0',
    currency: 'EUR',
    client: CLIENT,
    provider: PROVIDER,
    milestones: [{ title: 'Maquettes', amount: 120000 }, { title: 'Intégration', amount: 80000 }],
  });
  expect(created.status).toBe(201);
  const projectId = created.body.id;
  const milestoneId = created.body.milestones[0].id;
  const ms = `/v1/projects/${projectId}/milestones/${milestoneId}`;
  const stateOf = async () => (await call('GET', `/v1/projects/${projectId}`, [CLIENT.id, 'client'])).body.milestones[0].state;

  expect((await summaryMatchingLedger(projectId)).totals).toMatchObject({ amount: 200000, deposited: 0, inEscrow: 0 });

  await deposit(milestoneId, 70000);
  await eventually(async () => ((await summaryMatchingLedger(projectId)).milestones[0].deposited === 70000 ? true : undefined));
  expect(await stateOf()).toBe('awaiting_deposit');
  await deposit(milestoneId, 50000);
  await eventually(async () => ((await stateOf()) === 'funded' ? true : undefined));
  expect((await summaryMatchingLedger(projectId)).milestones[0]).toMatchObject({ deposited: 120000, inEscrow: 120000, released: 0 });
  const funded = await mail.waitFor((m) => m.to.includes(PROVIDER.email) && m.subject === 'Échéance financée : Maquettes');
  expect(funded.text).toContain('1 200,00 €');
  expect(funded.html).toContain('<p>');

  expect((await call('POST', `${ms}/complete`, [PROVIDER.id, 'provider'])).body.state).toBe('delivered');
  await mail.waitFor((m) => m.to.includes(CLIENT.email) && m.subject === 'Travail livré : Maquettes');

  expect((await call('POST', `${ms}/release`, [CLIENT.id, 'client'])).body.state).toBe('released');
  expect((await summaryMatchingLedger(projectId)).milestones[0]).toMatchObject({ released: 120000, inEscrow: 0, paidOut: 0 });
  await mail.waitFor((m) => m.to.includes(PROVIDER.email) && m.subject === 'Montant libéré : Maquettes');

  const form = new FormData();
  form.append('invoice', new Blob([PDF], { type: 'application/pdf' }), 'facture-001.pdf');
  form.append('invoiceNumber', 'FAC-2026-001');
  form.append('amount', '120000');
  const requested = await call('POST', `${ms}/payment-requests`, [PROVIDER.id, 'provider'], form);
  expect(requested.status).toBe(201);
  expect(requested.body.state).toBe('payment_requested');
  const dashboard = await call('GET', '/v1/me/payment-requests', [PROVIDER.id, 'provider']);
  expect(dashboard.body.items[0]).toMatchObject({ milestoneId, invoiceNumber: 'FAC-2026-001', amount: 120000, state: 'scheduled' });

  await eventually(async () => ((await stateOf()) === 'paid' ? true : undefined), 30000, 'paid');
  const paid = await call('GET', '/v1/me/payment-requests', [PROVIDER.id, 'provider']);
  expect(paid.body.items[0]).toMatchObject({ state: 'paid', payoutId: expect.stringMatching(/^po_sbx_/), paidAt: expect.any(String) });
  const final = await summaryMatchingLedger(projectId);
  expect(final.milestones[0]).toMatchObject({ state: 'paid', deposited: 120000, released: 120000, refunded: 0, inEscrow: 0, paidOut: 120000 });
  expect(final.totals).toMatchObject({ amount: 200000, deposited: 120000, paidOut: 120000 });
  await mail.waitFor((m) => m.to.includes(PROVIDER.email) && m.subject === 'Paiement effectué : Maquettes');

  const timeline = await call('GET', `${ms}/timeline`, ['med-1', 'mediator']);
  expect(timeline.body.events.map((e: { type: string }) => e.type)).toEqual([
    'deposit_received', 'deposit_received', 'funded', 'work_delivered', 'released', 'payment_requested', 'payout_ordered', 'paid',
  ]);
  const { rows } = await db.query('SELECT coalesce(sum(amount), 0)::bigint AS total FROM ledger_lines');
  expect(rows[0].total).toBe(0);
});
