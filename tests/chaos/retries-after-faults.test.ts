import { Client, Connection } from '@temporalio/client';
import type { Request } from 'express';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { boundedBy } from '../../api/deadline';
import { Idempotency } from '../../api/idempotency';
import { handOverUnhanded } from '../../api/payment-request-handover';
import { Presence } from '../../api/presence';
import type { HttpProblem } from '../../api/problem';
import type { Db } from '../../db/pool';
import { freePort } from '../../dev/free-port';
import { expectProblem, projectBody, startApiSystem, type ApiSystem } from '../helpers/api-system';
import { CLIENT, PDF, PROVIDER, uniq } from '../helpers/fixtures';
import { eventually } from '../helpers/temporal';

/**
 * What a client retrying with its Idempotency-Key gets after a fault: the outcome of its first attempt, as soon as
 * the system is back (issue 12, defects 1–6). Process kills and outages for real are in the chaos harness
 * (npm run chaos) and tests/deep/recovery.test.ts; here each window is opened exactly.
 */
let sys: ApiSystem;
/** An app whose Temporal server does not answer: nothing listens at its address. */
let dark: ReturnType<typeof createApp>;
const silent = pino({ level: 'silent' });

beforeAll(async () => {
  sys = await startApiSystem();
  const nowhere = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
  dark = createApp({ db: sys.db, temporal: new Client({ connection: nowhere }), config: { ...sys.config, REQUEST_DEADLINE: 1000 }, log: silent });
}, 120_000);
afterAll(() => sys.close());

const client = () => sys.as(CLIENT.id, 'client');
const provider = () => sys.as(PROVIDER.id, 'provider');

/** A funded milestone of a new project, done and released when asked. */
async function milestone(stage: 'funded' | 'released' = 'funded') {
  const created = await (await sys.as('plat-1', 'platform')).post('/v1/projects').send(projectBody());
  expect(created.status).toBe(201);
  const { id: projectId, milestones } = created.body as { id: string; milestones: { id: string; amount: number }[] };
  const { id: milestoneId, amount } = milestones[0];
  await sys.fund(projectId, milestoneId);
  const path = `/v1/projects/${projectId}/milestones/${milestoneId}`;
  if (stage === 'released') {
    expect((await (await provider()).post(`${path}/complete`)).status).toBe(200);
    expect((await (await client()).post(`${path}/release`)).status).toBe(200);
  }
  return { projectId, milestoneId, amount, path };
}

/** What an API process killed after acting but before storing its answer leaves: the key in progress, held by `owner`. */
const answerLost = (key: string, owner: string) =>
  sys.db.query(`UPDATE idempotency_keys SET state = 'in_progress', status = NULL, content_type = NULL, body = NULL, owner = $2 WHERE key = $1`, [key, owner]);

describe('a same-key retry after the API process died gets the first outcome', () => {
  test('at once when its process no longer beats, and the same answer, not "already released"', async () => {
    const { path } = await milestone();
    expect((await (await provider()).post(`${path}/complete`)).status).toBe(200);
    const key = uniq('rel');
    const first = await (await client()).post(`${path}/release`).set('Idempotency-Key', key);
    expect(first.status).toBe(200);
    await answerLost(key, 'api_killed-by-sigkill');
    const retry = await (await client()).post(`${path}/release`).set('Idempotency-Key', key);
    expect([retry.status, retry.body]).toEqual([200, first.body]);
    expect(retry.headers['idempotent-replayed']).toBeUndefined(); // run again: Temporal answered the same update
    const replay = await (await client()).post(`${path}/release`).set('Idempotency-Key', key);
    expect([replay.status, replay.headers['idempotent-replayed'], replay.body]).toEqual([200, 'true', first.body]);
  });

  test('while its process still beats the key is busy (409, Retry-After: 1); once it stops, the retry goes through', async () => {
    const { path } = await milestone();
    expect((await (await provider()).post(`${path}/complete`)).status).toBe(200);
    const key = uniq('rel');
    const first = await (await client()).post(`${path}/release`).set('Idempotency-Key', key);
    const other = new Presence(sys.db);
    await eventually(async () => ((await sys.db.query('SELECT 1 FROM api_instances WHERE id = $1', [other.id])).rowCount === 1 ? true : undefined));
    await answerLost(key, other.id);
    const busy = await (await client()).post(`${path}/release`).set('Idempotency-Key', key);
    expect(expectProblem(busy, 409).type).toMatch(/idempotency-key-in-use$/);
    expect(busy.headers['retry-after']).toBe('1');
    await other.stop();
    const retry = await (await client()).post(`${path}/release`).set('Idempotency-Key', key);
    expect([retry.status, retry.body]).toEqual([200, first.body]);
  });

  test('a project created by the lost attempt is answered 201 with the same project, not 200 or a second project', async () => {
    const platform = await sys.as('plat-1', 'platform');
    const body = projectBody();
    const key = uniq('prj');
    const first = await platform.post('/v1/projects').set('Idempotency-Key', key).send(body);
    expect(first.status).toBe(201);
    await answerLost(key, 'api_killed-by-sigkill');
    const retry = await platform.post('/v1/projects').set('Idempotency-Key', key).send(body);
    expect([retry.status, retry.body.id, retry.body.milestones]).toEqual([201, first.body.id, first.body.milestones]);
    const { rows } = await sys.db.query('SELECT count(*)::int AS n FROM projects WHERE external_id = $1', [body.externalId]);
    expect(rows[0].n).toBe(1);
  });
});

describe('a same-key retry after a PostgreSQL outage', () => {
  const user = { id: 'u-outage', role: 'client' } as const;
  const ok = { status: 201, contentType: 'application/json', body: '{"done":true}' };
  /** The pool as the API sees it while the database is down: every query refused. */
  function flaky(db: Db) {
    const state = { down: false };
    const proxy = new Proxy(db, {
      get: (target, prop) => (prop === 'query' ? (...args: Parameters<Db['query']>) => (state.down ? Promise.reject(new Error('connect ECONNREFUSED')) : (target.query as (...a: unknown[]) => unknown)(...args)) : Reflect.get(target, prop)),
    });
    return { db: proxy, state };
  }
  const req = (key: string) => ({ method: 'POST', originalUrl: '/v1/x', body: { a: 1 }, get: () => key }) as unknown as Request;

  test('is not locked out: the key the 503 could not free is freed once the database is back, on any API process', async () => {
    const { db, state } = flaky(sys.db);
    const here = new Idempotency(db, 86400, new Presence(sys.db));
    const elsewhere = new Idempotency(sys.db, 86400, new Presence(sys.db));
    const key = uniq('k');
    const failing = here.run(req(key), user, () => {
      state.down = true;
      return Promise.reject(new Error('database unreachable'));
    });
    await expect(failing).rejects.toThrow('database unreachable');
    state.down = false;
    // another process sees the claim of a live one: busy, at most until the claim's own process frees it (≤ 1 s)
    const second = await eventually(
      () =>
        elsewhere.run(req(key), user, () => Promise.resolve(ok)).then(
          (r) => r,
          (err: HttpProblem) => (err.slug === 'idempotency-key-in-use' ? undefined : Promise.reject(err)),
        ),
      5000,
      'the key freed',
    );
    expect(second).toEqual(ok);
  });

  test('on the same API process, the retry takes the key over at once', async () => {
    const { db, state } = flaky(sys.db);
    const here = new Idempotency(db, 86400, new Presence(sys.db));
    const key = uniq('k');
    await expect(
      here.run(req(key), user, () => {
        state.down = true;
        return Promise.reject(new Error('database unreachable'));
      }),
    ).rejects.toThrow();
    state.down = false;
    expect(await here.run(req(key), user, () => Promise.resolve(ok))).toEqual(ok);
  });
});

describe('Temporal down', () => {
  const upload = (app: typeof dark, path: string, key: string, invoiceNumber: string, amount: number) =>
    sys.token(PROVIDER.id, 'provider').then((t) =>
      request(app).post(`${path}/payment-requests`).set('authorization', `Bearer ${t}`).set('Idempotency-Key', key)
        .attach('invoice', PDF, 'f.pdf').field('invoiceNumber', invoiceNumber).field('amount', String(amount)),
    );
  const stateOf = async (invoiceNumber: string) =>
    (await sys.db.query<{ id: string; state: string }>('SELECT id, state FROM payment_requests WHERE invoice_number = $1', [invoiceNumber])).rows;

  test('/ready answers 503 at once, naming Temporal', async () => {
    const res = await request(dark).get('/ready');
    expect([res.status, res.body]).toEqual([503, { status: 'not ready', postgres: 'ok', temporal: 'unreachable' }]);
  });

  test('an invoice upload answers 503 + Retry-After and burns nothing: the same-key retry gets its payment request', async () => {
    const { path, amount } = await milestone('released');
    const invoiceNumber = uniq('F');
    const key = uniq('up');
    const failed = await upload(dark, path, key, invoiceNumber, amount);
    expectProblem(failed, 503);
    expect(failed.headers['retry-after']).toBe('1');
    const [recorded] = await stateOf(invoiceNumber);
    const retry = await upload(sys.app as typeof dark, path, key, invoiceNumber, amount);
    expect([retry.status, retry.body.paymentRequestId, retry.body.state]).toEqual([201, recorded.id, 'payment_requested']);
    await eventually(async () => ((await stateOf(invoiceNumber))[0].state === 'scheduled' ? true : undefined));
  });

  test('an upload never retried completes by itself: the sweep hands it over', async () => {
    const { path, amount } = await milestone('released');
    const invoiceNumber = uniq('F');
    expectProblem(await upload(dark, path, uniq('up'), invoiceNumber, amount), 503);
    const bounded = boundedBy(sys.env.client, 10_000);
    expect(await handOverUnhanded({ db: sys.db, temporal: sys.env.client, bounded, log: silent }, 0)).toBeGreaterThanOrEqual(1);
    await eventually(async () => ((await stateOf(invoiceNumber))[0].state === 'scheduled' ? true : undefined));
    expect((await (await provider()).get(path)).body.state).toBe('payment_requested');
  });

  test('a request the workflow refuses is rejected by the sweep, which frees its invoice number', async () => {
    const { path } = await milestone('released');
    const invoiceNumber = uniq('F');
    expectProblem(await upload(dark, path, uniq('up'), invoiceNumber, 1), 503); // not the released amount
    const bounded = boundedBy(sys.env.client, 10_000);
    await handOverUnhanded({ db: sys.db, temporal: sys.env.client, bounded, log: silent }, 0);
    expect((await stateOf(invoiceNumber))[0].state).toBe('rejected');
  });
});

describe('a worker down', () => {
  test('a request waiting on a workflow answers 503 + Retry-After by the deadline instead of hanging', async () => {
    const nobody = sys.appWith({ TEMPORAL_TASK_QUEUE: uniq('nobody-polls'), REQUEST_DEADLINE: 1500 });
    const bearer = `Bearer ${await sys.token('plat-1', 'platform')}`;
    const res = await request(nobody).post('/v1/projects').set('authorization', bearer).send(projectBody());
    expectProblem(res, 503);
    expect(res.headers['retry-after']).toBe('1');
  });
});

test('ten concurrent copies of one deposit event: one applied, nine duplicate, one deposit', async () => {
  const created = await (await sys.as('plat-1', 'platform')).post('/v1/projects').send(projectBody());
  const { id: projectId, milestones } = created.body as { id: string; milestones: { id: string; amount: number }[] };
  const { id: milestoneId, amount } = milestones[0];
  const eventId = uniq('evt');
  const copies = await Promise.all(
    Array.from({ length: 10 }, () => sys.webhook('deposit.succeeded', { milestoneId, amount, currency: 'EUR', reference: 'vir-1' }, eventId)),
  );
  expect(copies.map((r) => r.status)).toEqual(Array(10).fill(200));
  expect(copies.map((r) => r.body.outcome).sort()).toEqual(['applied', ...Array(9).fill('duplicate')]);
  const path = `/v1/projects/${projectId}/milestones/${milestoneId}`;
  const status = await eventually(async () => {
    const s = (await (await client()).get(path)).body;
    return s.state === 'funded' ? s : undefined;
  });
  expect(status.deposited).toBe(amount);
});
