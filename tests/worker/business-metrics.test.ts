/** A worker's /metrics: the platform's figures read from PostgreSQL, the ledger check's verdict, the token. */
import pino from 'pino';
import { postMovement } from '../../db/ledger';
import { createPool, type Db } from '../../db/pool';
import { freePort } from '../../lib/free-port';
import { BusinessMetrics } from '../../worker/business-metrics';
import { serveWorkerMetrics, type WorkerMetricsServer } from '../../worker/metrics-server';
import { freshDatabase } from '../helpers/db';
import { seedProject } from '../helpers/fixtures';
import { seriesOf } from '../helpers/prometheus';
import { eventually } from '../helpers/temporal';

const TOKEN = 'metrics-token-for-tests-0001';
const silent = pino({ level: 'silent' });

let db: Db;
let business: BusinessMetrics;
let server: WorkerMetricsServer;
beforeAll(async () => {
  ({ db } = await freshDatabase());
  business = new BusinessMetrics(db, silent);
  // nothing listens there: the SDK's part is reported missing, ours still served
  server = await serveWorkerMetrics({ port: 0, token: TOKEN, sdkMetricsUrl: `http://127.0.0.1:${await freePort()}/metrics`, business });
});
afterAll(async () => {
  business?.stop();
  await server?.close();
  await db?.end();
});

const scrape = (authorization = `Bearer ${TOKEN}`, path = '/metrics') => fetch(`http://127.0.0.1:${server.port}${path}`, { headers: { authorization } });

test('money in escrow, milestones by state and the SDK exporter missing, after a deposit', async () => {
  const before = seriesOf(await (await scrape()).text());
  const project = await seedProject(db, [1000, 2000]);
  const milestoneId = project.milestones[0].id;
  await postMovement(db, { idempotencyKey: `${milestoneId}:deposit:e1`, projectId: project.id, milestoneId, currency: 'EUR', movement: { type: 'deposit', toEscrow: 1000, toFee: 30, excess: 0 } });
  const res = await scrape();
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const after = seriesOf(await res.text());
  expect(after.get('escrow_money_in_escrow_minor{currency="EUR"}')).toBe((before.get('escrow_money_in_escrow_minor{currency="EUR"}') ?? 0) + 1000);
  expect(after.get('escrow_milestones{state="awaiting_deposit"}')).toBe((before.get('escrow_milestones{state="awaiting_deposit"}') ?? 0) + 2);
  expect(after.get('escrow_disputes_awaiting_sma')).toBe(0);
  expect(after.get('escrow_business_figures_up')).toBe(1);
  expect(after.get('escrow_worker_sdk_metrics_up')).toBe(0);
  expect(after.has('process_resident_memory_bytes')).toBe(true);
});

test('an escalated dispute: counted, with the age of the longest wait', async () => {
  const project = await seedProject(db, [1000]);
  const milestoneId = project.milestones[0].id;
  await db.query(
    `INSERT INTO disputes (id, project_id, milestone_id, state, opened_by, opened_at, escalated_at, version, snapshot)
     VALUES ('dsp_metrics', $1, $2, 'escalated', 'client', now() - interval '7 days', now() - interval '6 days', 1, '{}')`,
    [project.id, milestoneId],
  );
  const after = seriesOf(await (await scrape()).text());
  expect(after.get('escrow_disputes_awaiting_sma')).toBe(1);
  expect(after.get('escrow_disputes{state="escalated"}')).toBe(1);
  expect(after.get('escrow_dispute_escalation_oldest_age_seconds')).toBeGreaterThanOrEqual(6 * 86400);
  expect(after.get('escrow_dispute_escalation_oldest_age_seconds')).toBeLessThan(6 * 86400 + 600);
});

test('the ledger check runs on its interval and reports what breaks a rule', async () => {
  const project = await seedProject(db, [1000]);
  const milestoneId = project.milestones[0].id;
  // money released that was never deposited: escrow goes negative
  await postMovement(db, { idempotencyKey: `${milestoneId}:release:1000`, projectId: project.id, milestoneId, currency: 'EUR', movement: { type: 'release', amount: 1000, commission: 0, escrowFee: 0 } });
  business.watchLedger(60_000);
  const after = await eventually(async () => {
    const s = seriesOf(await (await scrape()).text());
    return (s.get('escrow_ledger_check_failures_total') ?? 0) >= 1 ? s : undefined;
  });
  expect(after.get('escrow_ledger_check_violations{rule="no account goes negative"}')).toBeGreaterThanOrEqual(1);
  expect(after.get('escrow_ledger_check_violations{rule="every entry balances"}')).toBe(0);
  expect(after.get('escrow_ledger_check_last_run_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 60);
});

test('without the token, or with another one: 401; any other path: 404', async () => {
  expect((await scrape('')).status).toBe(401);
  const wrong = await scrape('Bearer metrics-token-for-tests-0002');
  expect(wrong.status).toBe(401);
  expect(wrong.headers.get('www-authenticate')).toContain('Bearer');
  expect((await scrape(undefined, '/health')).status).toBe(404);
});

test('PostgreSQL unreachable: the endpoint still answers, and says the figures are stale', async () => {
  const unreachable = createPool(`postgres://nobody@127.0.0.1:${await freePort()}/none`);
  const stale = new BusinessMetrics(unreachable, silent);
  const alone = await serveWorkerMetrics({ port: 0, business: stale });
  try {
    const res = await fetch(`http://127.0.0.1:${alone.port}/metrics`);
    expect(res.status).toBe(200);
    const s = seriesOf(await res.text());
    expect(s.get('escrow_business_figures_up')).toBe(0);
    expect(s.has('escrow_worker_sdk_metrics_up')).toBe(false);
  } finally {
    await alone.close();
    await unreachable.end();
  }
});
