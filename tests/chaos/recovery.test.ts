import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { signToken } from '../../dev/tokens';
import type { Role } from '../../domain/parties';
import { DEV_AUTH_JWT_SECRET, DEV_PAYMENTS_WEBHOOK_SECRET } from '../../lib/config';
import { signPayload } from '../../lib/webhook-signature';
import { System } from '../../scripts/topology/system';
import { CLIENT, PDF, PROVIDER, uniq } from '../helpers/fixtures';
import { eventually } from '../helpers/temporal';

/**
 * Issue 12's acceptance, on real processes: a request cut by an API SIGKILL, a PostgreSQL outage or a Temporal
 * outage, sent again with its Idempotency-Key as the client is told (Retry-After), gets the first attempt's outcome
 * within 5 s of the failed part being back (for Temporal: serving, and a worker polling it again).
 */
const RECOVERY_MS = 5000;
let system: System;
let dir: string;
let api: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'escrow-recovery-'));
  system = await System.start({ dir, workers: 1, apis: 1, smtpDelayMs: 0 });
  api = system.apiUrls[0];
}, 240_000);
afterAll(async () => {
  await system?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

interface Answer {
  status: number;
  body: Record<string, unknown>;
  retryAfter: string | null;
}

async function send(role: Role, sub: string, method: string, url: string, init: { key?: string; json?: unknown; form?: FormData } = {}): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${await signToken(DEV_AUTH_JWT_SECRET, { sub, role })}` };
  if (init.key) headers['idempotency-key'] = init.key;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${api}${url}`, { method, headers, body: init.form ?? (init.json === undefined ? undefined : JSON.stringify(init.json)), signal: AbortSignal.timeout(30_000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, retryAfter: res.headers.get('retry-after') };
}

/** As a client retries: after a network error, a 503 or a busy key, it waits as told and sends the same request. */
async function retried(attempt: () => Promise<Answer>): Promise<Answer> {
  for (;;) {
    const answer = await attempt().catch(() => undefined);
    const busy = answer && (answer.status === 503 || (answer.status === 409 && String(answer.body.type).endsWith('idempotency-key-in-use')));
    if (answer && !busy) return answer;
    await sleep(answer?.retryAfter ? Number(answer.retryAfter) * 1000 : 250);
  }
}

/** The restarted Temporal server knows its pollers from memory only: one listed is a worker back at work. */
async function workerPolling(): Promise<void> {
  const connection = await Connection.connect({ address: system.temporalAddress });
  try {
    await eventually(async () => {
      const { pollers } = await connection.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: 'escrow' }, taskQueueType: 1 });
      return (pollers?.length ?? 0) > 0 ? true : undefined;
    }, 60_000, 'a worker polling the restarted Temporal server');
  } finally {
    await connection.close();
  }
}

const client = (method: string, url: string, init?: Parameters<typeof send>[4]) => send('client', CLIENT.id, method, url, init);
const provider = (method: string, url: string, init?: Parameters<typeof send>[4]) => send('provider', PROVIDER.id, method, url, init);

/** A milestone funded and delivered, ready to be released. */
async function deliveredMilestone(): Promise<{ path: string; amount: number }> {
  const body = {
    externalId: uniq('pel'), title: 'Recovery', formula: 'r0', currency: 'EUR', commissionRate: 0, escrowFeeRate: 0,
    client: CLIENT, provider: PROVIDER, milestones: [{ title: 'Tout', amount: 50000 }],
  };
  const created = await send('platform', 'plat-1', 'POST', '/v1/projects', { json: body });
  expect(created.status).toBe(201);
  const path = `/v1/projects/${created.body.id as string}/milestones/${(created.body.milestones as { id: string }[])[0].id}`;
  const milestoneId = path.split('/').pop()!;
  const event = JSON.stringify({ id: `evt_${randomUUID()}`, type: 'deposit.succeeded', data: { milestoneId, amount: 50000, currency: 'EUR', reference: 'vir-1' } });
  const deposit = await fetch(`${api}/v1/webhooks/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'payment-signature': signPayload(DEV_PAYMENTS_WEBHOOK_SECRET, event) },
    body: event,
  });
  expect(deposit.status).toBe(200);
  await eventually(async () => ((await client('GET', path)).body.state === 'funded' ? true : undefined), 30_000, 'funded');
  expect((await provider('POST', `${path}/complete`)).status).toBe(200);
  return { path, amount: 50000 };
}

test('an API process SIGKILLed with a release in flight: the retry gets the release', async () => {
  const { path } = await deliveredMilestone();
  const key = uniq('rel');
  const inFlight = client('POST', `${path}/release`, { key }).catch(() => undefined);
  await sleep(60);
  await system.apis[0].kill('SIGKILL', { reason: 'test: release in flight' });
  await inFlight;
  await system.apis[0].start();
  const recovered = Date.now();
  const answer = await retried(() => client('POST', `${path}/release`, { key }));
  const took = Date.now() - recovered;
  expect([answer.status, answer.body.state]).toEqual([200, 'released']);
  expect(took).toBeLessThanOrEqual(RECOVERY_MS);
}, 120_000);

test('PostgreSQL stopped in immediate mode with a release in flight: the retry gets the release', async () => {
  const { path } = await deliveredMilestone();
  const key = uniq('rel');
  const inFlight = client('POST', `${path}/release`, { key }).catch(() => undefined);
  await sleep(30);
  await system.postgres!.kill('SIGQUIT', { leader: true, reason: 'test: immediate shutdown' });
  const during = await inFlight;
  if (during) expect([200, 503]).toContain(during.status);
  await sleep(3000);
  await system.postgres!.start();
  const recovered = Date.now();
  const answer = await retried(() => client('POST', `${path}/release`, { key }));
  const took = Date.now() - recovered;
  expect([answer.status, answer.body.state]).toEqual([200, 'released']);
  expect(took).toBeLessThanOrEqual(RECOVERY_MS);
}, 120_000);

test('Temporal down during an invoice upload: 503, then the retry gets the payment request, and the number is not burnt', async () => {
  const { path, amount } = await deliveredMilestone();
  expect((await client('POST', `${path}/release`)).status).toBe(200);
  const key = uniq('up');
  const invoiceNumber = uniq('F');
  const form = () => {
    const f = new FormData();
    f.append('invoice', new Blob([PDF], { type: 'application/pdf' }), 'f.pdf');
    f.append('invoiceNumber', invoiceNumber);
    f.append('amount', String(amount));
    return f;
  };
  await system.temporal.kill('SIGKILL', { reason: 'test: Temporal down' });
  const during = await provider('POST', `${path}/payment-requests`, { key, form: form() });
  expect([during.status, during.retryAfter]).toEqual([503, '1']);
  await system.temporal.start();
  await workerPolling();
  const recovered = Date.now();
  const answer = await retried(() => provider('POST', `${path}/payment-requests`, { key, form: form() }));
  const took = Date.now() - recovered;
  expect([answer.status, answer.body.state]).toEqual([201, 'payment_requested']);
  expect(took).toBeLessThanOrEqual(RECOVERY_MS);
}, 120_000);
