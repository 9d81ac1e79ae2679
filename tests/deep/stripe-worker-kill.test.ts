/**
 * A worker SIGKILLed while Stripe is answering a transfer, a payout and a refund: Stripe has made them, the worker
 * never learned it nor wrote its ledger entry. The activities are retried by another worker (after their 30 s
 * start-to-close timeout) and must send every request again under the same idempotency key, so that Stripe answers
 * with what it made instead of moving the money twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { checkLedger } from '../../db/ledger-check';
import type { Db } from '../../db/pool';
import { startMailCatcher, type MailCatcher } from '../../dev/mail-catcher';
import { signToken } from '../../dev/tokens';
import { loadConfig } from '../../lib/config';
import type { Role } from '../../domain/parties';
import { freshDatabase } from '../helpers/db';
import { CLIENT, PDF, PROVIDER, uniq } from '../helpers/fixtures';
import { projectBody } from '../helpers/api-system';
import { postStripeEvent, stripeObjects, stripeSettings } from '../helpers/stripe-events';
import { startStripeRecorder, type StripeCall, type StripeRecorder } from '../helpers/stripe-recorder';
import { eventually, startDevServer } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '..', '..');
jest.setTimeout(180_000);

let env: TestWorkflowEnvironment;
let db: Db;
let mail: MailCatcher;
let stripe: StripeRecorder;
let app: ReturnType<typeof createApp>;
let workerEnv: NodeJS.ProcessEnv;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  let url: string;
  [env, { db, url }, mail, stripe] = await Promise.all([startDevServer(), freshDatabase(), startMailCatcher(), startStripeRecorder(process.env.STRIPE_MOCK_URL!)]);
  const settings = {
    DATABASE_URL: url,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: uniq('kill'),
    SMTP_URL: `smtp://127.0.0.1:${mail.smtpPort}`,
    ...stripeSettings(stripe.url),
    PAYOUT_DELAY: '0s',
    PAYOUT_CALENDAR: 'any',
    LOG_LEVEL: 'error',
  };
  workerEnv = { ...process.env, ...settings };
  app = createApp({ db, temporal: env.client, config: loadConfig(settings), log: pino({ level: 'silent' }) });
});
afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await Promise.all([env?.teardown(), mail?.close(), stripe?.close(), db?.end()]);
});

/** A worker process of its own (node itself, not tsx's wrapper, so that SIGKILL reaches the process that works). */
function startWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], { cwd: ROOT, env: workerEnv, stdio: ['ignore', 'ignore', 'inherit'] });
  workers.push(child);
  return child;
}

const as = async (sub: string, role: Role) => {
  const bearer = `Bearer ${await signToken(loadConfig({ DATABASE_URL: 'x' }).AUTH_JWT_SECRET!, { sub, role })}`;
  return { get: (u: string) => request(app).get(u).set('authorization', bearer), post: (u: string) => request(app).post(u).set('authorization', bearer) };
};
const event = (type: string, object: Record<string, unknown>, opts?: { account?: string }) => postStripeEvent(app, type, object, opts);

async function fundedMilestone(): Promise<{ path: string; milestoneId: string; pi: string }> {
  const created = await (await as('platform-1', 'platform')).post('/v1/projects').send(projectBody({ milestones: [{ title: 'A', amount: 100000 }], commissionRate: 0.1, escrowFeeRate: 0 }));
  const milestoneId = created.body.milestones[0].id as string;
  const path = `/v1/projects/${created.body.id}/milestones/${milestoneId}`;
  const pi = (await (await as(CLIENT.id, 'client')).post(`${path}/deposit-intent`)).body.paymentIntentId as string;
  await event('payment_intent.succeeded', stripeObjects.paymentIntent(pi, 100000));
  await eventually(async () => ((await (await as(CLIENT.id, 'client')).get(path)).body.state === 'funded' ? true : undefined), 30000, 'funded');
  return { path, milestoneId, pi };
}

const keysOf = (calls: StripeCall[], p: string) => [...new Set(calls.filter((c) => c.method === 'POST' && c.path === p).map((c) => c.idempotencyKey))];

test('a worker killed between Stripe\'s answer and the ledger entry: the retries carry the same idempotency keys', async () => {
  const first = startWorker();
  const account = (await (await as(PROVIDER.id, 'provider')).post('/v1/me/payout-account')).body.accountId as string;
  await event('account.updated', stripeObjects.account(account, true), { account });
  const paid = await fundedMilestone();
  const refunded = await fundedMilestone();

  // The payout's and the refund's requests are held until both are in flight and the API has answered the test's
  // requests (their updates run on this worker too); then the worker dies; then Stripe answers.
  let killed = false;
  let answered = false;
  const inFlight = new Set<string>();
  stripe.onCall(async (call) => {
    if (killed || call.method !== 'POST' || !['/v1/payouts', '/v1/refunds'].includes(call.path)) return;
    inFlight.add(call.path);
    await eventually(() => ((inFlight.size === 2 && answered) || killed ? true : undefined), 60000, 'both orders in flight');
    if (!killed) {
      killed = true;
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
    }
  });

  const provider = await as(PROVIDER.id, 'provider');
  const client = await as(CLIENT.id, 'client');
  expect((await provider.post(`${paid.path}/complete`)).status).toBe(200);
  expect((await client.post(`${paid.path}/release`)).status).toBe(200);
  const made = await provider.post(`${paid.path}/payment-requests`).field('invoiceNumber', uniq('F')).field('amount', '100000').attach('invoice', PDF, 'f.pdf');
  expect(made.status).toBe(201);
  expect((await client.post(`${refunded.path}/cancel`)).status).toBe(202);
  expect((await provider.post(`${refunded.path}/cancel`)).status).toBe(200);
  answered = true;

  await eventually(() => (killed && first.exitCode === null && first.signalCode === 'SIGKILL' ? true : undefined), 90000, 'the worker killed mid-call');
  expect(await db.query(`SELECT 1 FROM ledger_entries WHERE kind IN ('payout_ordered', 'refund_ordered') AND milestone_id IN ($1, $2)`, [paid.milestoneId, refunded.milestoneId])).toMatchObject({ rowCount: 0 });
  startWorker();

  const payoutId = await eventually(async () => {
    const items = (await provider.get('/v1/me/payment-requests')).body.items as { id: string; payoutId: string | null }[];
    return items.find((i) => i.id === made.body.paymentRequestId)?.payoutId ?? undefined;
  }, 90000, 'the payout ordered by the second worker');
  const refundId = `rf_${refunded.milestoneId}_1`;
  await eventually(async () => ((await db.query(`SELECT 1 FROM ledger_entries WHERE idempotency_key = $1`, [`${refunded.milestoneId}:${refundId}:ordered:1`])).rowCount === 1 ? true : undefined), 90000, 'the refund ordered by the second worker');

  const requestId = made.body.paymentRequestId as string;
  const mine = (p: string, ref: string) => stripe.calls.filter((c) => c.path === p && Object.values(c.params).includes(ref));
  // The transfer was kept before its payout was asked for: the retry asks for the payout only, under the same key.
  expect(keysOf(mine('/v1/transfers', requestId), '/v1/transfers')).toEqual([`payout:${requestId}:transfer`]);
  expect(mine('/v1/payouts', requestId).length).toBeGreaterThanOrEqual(2);
  expect(keysOf(mine('/v1/payouts', requestId), '/v1/payouts')).toEqual([`payout:${requestId}:1:payout:1`]);
  expect(mine('/v1/refunds', refundId).length).toBeGreaterThanOrEqual(2);
  expect(keysOf(mine('/v1/refunds', refundId), '/v1/refunds')).toEqual([`${refundId}:1`]);

  await event('payout.paid', stripeObjects.payout(payoutId, 'paid'), { account });
  await eventually(async () => ((await client.get(paid.path)).body.state === 'paid' ? true : undefined), 30000, 'paid');
  expect(await checkLedger(db)).toEqual([]);
});
