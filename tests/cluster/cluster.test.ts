/**
 * The production topology (`npm run cluster`): the full Temporal server on PostgreSQL, 3 workers, 2 APIs behind the
 * round-robin proxy. What crosses process boundaries is checked across processes; faults are injected while milestone
 * lives go on (tests/helpers/campaign.ts drives them as the chaos harness does), and each campaign ends with the
 * harness's invariants: every answer true, every end state reached, the ledger check, money, no order twice.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import pg from 'pg';
import { ApiClient, caller } from '../../scripts/chaos/client';
import { ROUTES } from '../../scripts/chaos/life';
import { CLUSTER_SHAPE, SYSTEM_SETTINGS, System } from '../../scripts/topology/system';
import { describeCluster } from '../../scripts/topology/temporal-server';
import { Campaign, failuresOf } from '../helpers/campaign';
import { eventually } from '../helpers/temporal';

jest.setTimeout(600_000);

const RATE_LIMIT_PER_USER = 120;
let system: System;
let temporal: Client;
let connection: Connection;
let run = 0;
const runId = () => `k${Date.now().toString(36)}${++run}`;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'escrow-cluster-test-'));
  system = await System.start({
    ...CLUSTER_SHAPE,
    dir,
    proxyPort: 0,
    settings: { ...SYSTEM_SETTINGS, RATE_LIMIT_PER_USER: String(RATE_LIMIT_PER_USER), TRUST_PROXY: 'loopback' },
  });
  connection = await Connection.connect({ address: system.temporalAddress });
  temporal = new Client({ connection, namespace: 'default' });
}, 300_000);

afterAll(async () => {
  await connection?.close();
  await system?.stop();
});

test('Temporal is the full server v1.32.2 persisting to PostgreSQL, with SQL visibility; its tables are in PostgreSQL', async () => {
  const info = await describeCluster(system.temporalAddress);
  expect(info).toMatchObject({ serverVersion: '1.32.2', persistenceStore: 'postgres12', visibilityStore: 'postgres12', historyShardCount: 4 });
  const temporalDb = new URL(system.databaseUrl);
  temporalDb.pathname = '/temporal';
  const client = new pg.Client({ connectionString: temporalDb.toString() });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM namespaces WHERE name = 'default'`);
    expect(rows[0].n).toBe(1);
    const { rows: shards } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM shards');
    expect(shards[0].n).toBe(4);
  } finally {
    await client.end();
  }
});

test('the same Idempotency-Key sent to both APIs at once has one effect; so has one deposit event sent to both', async () => {
  const platform = await caller(`platform-${runId()}`, 'platform');
  const externalId = `cluster-${runId()}`;
  const project = {
    externalId,
    title: 'Deux API, une clé',
    formula: 'r0',
    currency: 'EUR',
    client: { id: `c-${externalId}`, email: `c.${externalId}@cluster.test`, name: 'Client' },
    provider: { id: `p-${externalId}`, email: `p.${externalId}@cluster.test`, name: 'Prestataire' },
    milestones: [{ title: 'Maquettes', amount: 120_000 }],
  };
  // One retrying client per API (the harness's: it sends again on a busy key or a 5xx), both at once.
  const perApi = system.apiUrls.map((base) => new ApiClient({ bases: [base], deadlineMs: 30_000, attemptTimeoutMs: 20_000 }));
  const answers = await Promise.all(perApi.map((api) => api.post(platform, ROUTES.create, '/v1/projects', { json: project }, `create-${externalId}`)));
  expect(answers.map((a) => a.final?.status)).toEqual([201, 201]);
  const [first, second] = answers.map((a) => a.final!.body as { id: string; milestones: { id: string }[] });
  expect(first.id).toBe(second.id);
  const db = new pg.Client({ connectionString: system.databaseUrl });
  await db.connect();
  try {
    const projects = await db.query('SELECT id FROM projects WHERE external_id = $1', [externalId]);
    expect(projects.rows).toEqual([{ id: first.id }]);

    const milestoneId = first.milestones[0].id;
    const event = { id: `evt_${externalId}`, type: 'deposit.succeeded', data: { milestoneId, amount: 120_000, currency: 'EUR', reference: `vir-${externalId}` } };
    const acks = await Promise.all(perApi.map((api) => api.webhook(event)));
    expect(acks.map((a) => (a.final?.body as { outcome?: string } | undefined)?.outcome).sort()).toEqual(['applied', 'duplicate']);
    // 'applied' means the milestone was signalled; its workflow posts the movement a moment later.
    const posted = await eventually(async () => {
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ledger_entries WHERE kind = 'deposit' AND milestone_id = $1`, [milestoneId]);
      return rows[0].n > 0 ? rows[0].n : undefined;
    }, 30_000, 'the deposit posted to the ledger');
    expect(posted).toBe(1);
  } finally {
    await db.end();
  }
});

test('the rate limit holds once across both APIs: 200 requests of one user at once, 120 let through', async () => {
  const user = await caller(`c-limit-${runId()}`, 'client');
  const statuses = await Promise.all(
    Array.from({ length: 200 }, (_, i) => fetch(`${system.apiUrls[i % 2]}/v1/me/notifications`, { headers: { authorization: `Bearer ${user.token}` } }).then((r) => r.status)),
  );
  const ok = statuses.filter((s) => s === 200).length;
  // the bucket refills by 2 a second while the burst runs: a few more than the capacity, far fewer than 2 × 120
  expect(ok).toBeGreaterThanOrEqual(RATE_LIMIT_PER_USER);
  expect(ok).toBeLessThanOrEqual(RATE_LIMIT_PER_USER + 10);
  expect(statuses.filter((s) => s !== 200).every((s) => s === 429)).toBe(true);
});

test('a worker SIGKILLed mid-run and left dead: the other two carry every milestone to its end within the task timeouts', async () => {
  const campaign = new Campaign(system, runId(), [system.url]);
  try {
    const lives = campaign.drive('worker-kill', 12, 6);
    await eventually(() => (campaign.api.exchanges.length >= 25 ? true : undefined), 60_000, '25 requests sent');
    const killed = system.workers[0];
    await killed.kill('SIGKILL', { reason: 'test: one of three workers dies' });
    await lives;
    expect(killed.state).toBe('down'); // never came back while the lives went on
    // Within a minute of the last answer every workflow has closed: a mail the dead worker had claimed waits for
    // its lease (40 s), an activity for its timeout (30 s), nothing for the worker.
    const { settled, checks } = await campaign.check(60_000);
    expect(failuresOf(checks)).toEqual([]);
    expect(settled).toBe(true);
    // At worst an activity that was running on the dead worker is retried after its start-to-close timeout (30 s)
    // and a workflow task after the sticky queue's (5 s); nothing waits for the worker to come back.
    expect(campaign.slowestRequestMs()).toBeLessThan(45_000);
    console.log(`worker kill: slowest request ${campaign.slowestRequestMs()} ms over ${campaign.api.exchanges.length} requests`);
  } finally {
    await campaign.close();
    await system.workers[0].start();
  }
});

test('an API process SIGKILLed with requests in flight: the other answers, and every retry with its key gets the first outcome', async () => {
  const campaign = new Campaign(system, runId(), [system.url]);
  try {
    const lives = campaign.drive('api-kill', 10, 5);
    await eventually(() => ((campaign.api.inFlight.get(system.url) ?? 0) > 0 && campaign.api.exchanges.length >= 20 ? true : undefined), 60_000, 'requests in flight');
    const served = system.proxy!.served.slice();
    await system.apis[0].kill('SIGKILL', { reason: 'test: one of two APIs dies' });
    await eventually(() => (campaign.api.exchanges.length >= 60 ? true : undefined), 120_000, '60 requests sent');
    expect(system.apis[0].state).toBe('down');
    expect(system.proxy!.served[1]).toBeGreaterThan(served[1]); // the survivor took the traffic
    await system.apis[0].start();
    await lives;
    const { settled, checks } = await campaign.check();
    expect(failuresOf(checks)).toEqual([]);
    expect(settled).toBe(true);
    expect(checks.answers).toMatchObject({ wrongAnswers: 0, unanswered: 0 });
  } finally {
    await campaign.close();
  }
});

test('a rolling upgrade of the three workers to code changed behind patched(): old and new live at once, every milestone ends, every history replays', async () => {
  const campaign = new Campaign(system, runId(), [system.url]);
  const started = Date.now();
  try {
    const lives = campaign.drive('rolling', 16, 6);
    for (let i = 0; i < system.workers.length; i++) {
      await eventually(() => (campaign.api.exchanges.length >= 20 + i * 25 ? true : undefined), 120_000, `${20 + i * 25} requests sent`);
      await system.replaceWorker(i, ['tests/cluster/next-version/worker.ts']);
    }
    await lives;
    const { settled, checks } = await campaign.check();
    expect(failuresOf(checks)).toEqual([]);
    expect(settled).toBe(true);

    const histories = [];
    let patchedRuns = 0;
    for await (const wf of temporal.workflow.list({ query: `WorkflowType = 'milestoneWorkflow' AND StartTime > '${new Date(started).toISOString()}'` })) {
      histories.push({ workflowId: wf.workflowId, history: await temporal.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory() });
      if (wf.memo?.codeVersion === 'next') patchedRuns += 1; // the new command, issued behind NEXT_VERSION_PATCH
    }
    expect(histories.length).toBeGreaterThanOrEqual(16);
    expect(patchedRuns).toBeGreaterThan(0); // milestones that started on the new code took the new branch
    expect(patchedRuns).toBeLessThan(histories.length); // and some ran on the old code first
    const replays = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath: require.resolve('./next-version/workflows'), replayName: 'rolling upgrade' }, histories)) {
      replays.push(result.error ? `${result.workflowId}: ${result.error.message}` : 'ok');
    }
    expect(replays.filter((r) => r !== 'ok')).toEqual([]);
    const failedTasks = histories.reduce((n, h) => n + (h.history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).length, 0);
    console.log(`rolling upgrade: ${histories.length} milestone histories, ${patchedRuns} on the new code from their start, all replay; ${failedTasks} workflow task(s) failed in the mixed window and were retried`);
  } finally {
    await campaign.close();
  }
});
