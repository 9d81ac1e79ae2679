import { execFile } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import type { Request } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { Idempotency } from '../../api/idempotency';
import { Presence } from '../../api/presence';
import type { HttpProblem } from '../../api/problem';
import { listen } from '../../api/server';
import { signPayload } from '../../lib/webhook-signature';
import { MAX_AMOUNT } from '../../api/schemas/common';
import { createPool } from '../../db/pool';
import { createLogger } from '../../lib/logger';
import { expectProblem, projectBody, startApiSystem, type ApiSystem } from '../helpers/api-system';
import { CLIENT, PDF, PROVIDER, uniq } from '../helpers/fixtures';
import { eventually } from '../helpers/temporal';

let sys: ApiSystem;
beforeAll(async () => {
  sys = await startApiSystem();
});
afterAll(() => sys?.close());

const client = () => sys.as(CLIENT.id, 'client');
const provider = () => sys.as(PROVIDER.id, 'provider');

/** A funded milestone with a dispute the client declared: proposals are a POST whose every call adds one. */
async function openDispute() {
  const { body: p } = await (await sys.as('plat-1', 'platform')).post('/v1/projects').send(projectBody({ milestones: [{ title: 'A', amount: 10000 }] }));
  const milestoneId = p.milestones[0].id;
  await sys.fund(p.id, milestoneId);
  const path = `/v1/projects/${p.id}/milestones/${milestoneId}`;
  const { body: d } = await (await client()).post(`${path}/disputes`).send({ reason: 'Retard', statement: 'Rien.' });
  const proposals = async () => ((await (await client()).get(`/v1/disputes/${d.id}`)).body.proposals as unknown[]).length;
  return { disputeId: d.id as string, path, proposals };
}

/** Lines a logger wrote, as parsed JSON. */
function capturedLogger() {
  const lines: Record<string, any>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger({ LOG_LEVEL: 'info' }, 'test', sink), lines, text: () => JSON.stringify(lines) };
}

describe('Idempotency-Key', () => {
  test('a replay returns the first response and has no second effect; another body with the key is 422', async () => {
    const { disputeId, proposals } = await openDispute();
    const propose = async (providerAmount: number, key: string) =>
      (await client()).post(`/v1/disputes/${disputeId}/proposals`).set('Idempotency-Key', key).send({ providerAmount });
    const first = await propose(4000, 'key-1');
    expect(first.status).toBe(201);
    const replay = await propose(4000, 'key-1');
    expect([replay.status, replay.headers['idempotent-replayed'], replay.body.proposalId]).toEqual([201, 'true', first.body.proposalId]);
    expect(replay.text).toBe(first.text);
    expect(await proposals()).toBe(1);

    const reused = expectProblem(await propose(5000, 'key-1'), 422);
    expect(reused.detail).toMatch(/another request/);
    expect(await proposals()).toBe(1);

    // Keys belong to their caller: the provider's own key-1 is a new request.
    const theirs = await (await provider()).post(`/v1/disputes/${disputeId}/proposals`).set('Idempotency-Key', 'key-1').send({ providerAmount: 4000 });
    expect(theirs.status).toBe(201);
    expect(await proposals()).toBe(2);

    const { rows } = await sys.db.query(`SELECT state, status, extract(epoch FROM expires_at - created_at)::int AS kept FROM idempotency_keys WHERE principal = $1 AND key = 'key-1'`, [`client:${CLIENT.id}`]);
    expect(rows).toEqual([{ state: 'done', status: 201, kept: 86400 }]);
  });

  test('concurrent requests with one key to one API process have one effect: the others wait for it and get its answer', async () => {
    const { disputeId, proposals } = await openDispute();
    const bearer = `Bearer ${await sys.token(CLIENT.id, 'client')}`;
    const server = await listen(sys.app, 0, '127.0.0.1');
    const port = (server.address() as { port: number }).port;
    try {
      const send = () =>
        fetch(`http://127.0.0.1:${port}/v1/disputes/${disputeId}/proposals`, {
          method: 'POST',
          headers: { authorization: bearer, 'content-type': 'application/json', 'idempotency-key': 'race-1' },
          body: JSON.stringify({ providerAmount: 3000 }),
        }).then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.json() }));
      const answers = await Promise.all(Array.from({ length: 6 }, send));
      // Across API processes the one that loses gets 409 with Retry-After: tests/api/retries-after-faults.test.ts.
      expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
      expect(new Set(answers.map((a) => a.body.proposalId)).size).toBe(1);
      expect(await proposals()).toBe(1);
    } finally {
      server.close();
    }
  });

  test('refusals are replayed too; an expired key is free again; a malformed key is 400', async () => {
    const { disputeId, path, proposals } = await openDispute();
    const release = () => client().then((c) => c.post(`${path}/release`).set('Idempotency-Key', 'rel-1'));
    const refused = expectProblem(await release(), 409);
    const again = await release();
    expect([again.status, again.headers['idempotent-replayed'], JSON.parse(again.text).detail]).toEqual([409, 'true', refused.detail]);

    const propose = async (providerAmount: number) =>
      (await client()).post(`/v1/disputes/${disputeId}/proposals`).set('Idempotency-Key', 'old').send({ providerAmount });
    expect((await propose(1000)).status).toBe(201);
    await sys.db.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'old'`);
    expect((await propose(2000)).status).toBe(201);
    expect(await proposals()).toBe(2);

    const tooLong = await (await client()).post(`/v1/disputes/${disputeId}/proposals`).set('Idempotency-Key', 'k'.repeat(256)).send({ providerAmount: 1 });
    expectProblem(tooLong, 400);
    expect(await proposals()).toBe(2);
  });

  test('the server takes exactly the Idempotency-Key values the document\'s pattern allows; "k" and k are one key', async () => {
    const doc = (await request(sys.app).get('/openapi.json')).body;
    const header = doc.paths['/v1/projects'].post.parameters.find((p: { name: string }) => p.name === 'Idempotency-Key');
    const documented = new RegExp(header.schema.pattern);
    const idempotency = new Idempotency(sys.db, 86400, new Presence(sys.db));
    const user = { id: uniq('u'), role: 'client' } as const;
    const candidates = ['k', 'k'.repeat(255), 'k'.repeat(256), '"quoted"', '"', '""', '"open', 'a b', ' ', 'tab\there', 'clé', '~!#$%&()*+,-./:;<=>?@[]^_`{|}'];
    for (const key of candidates) {
      const req = { method: 'POST', originalUrl: '/v1/x', body: {}, get: () => key } as unknown as Request;
      const accepted = await idempotency.run(req, user, () => Promise.resolve({ status: 201, contentType: 'application/json', body: '{}' })).then(
        () => true,
        (err: HttpProblem) => (err.slug === 'invalid-idempotency-key' ? false : Promise.reject(err)),
      );
      expect([key, accepted]).toEqual([key, documented.test(key)]);
    }
    const bare = { method: 'POST', originalUrl: '/v1/x', body: {}, get: () => 'quoted' } as unknown as Request;
    expect(await idempotency.run(bare, user, () => Promise.reject(new Error('not called')))).toMatchObject({ replayed: true });
  });

  test('a failure of ours (5xx) frees the key, so the same request can be retried', async () => {
    const idempotency = new Idempotency(sys.db, 86400, new Presence(sys.db));
    const req = { method: 'POST', originalUrl: '/v1/x', body: { a: 1 }, get: () => 'k-5xx' } as unknown as Request;
    const user = { id: 'u-1', role: 'client' } as const;
    await expect(idempotency.run(req, user, () => Promise.reject(new Error('database unreachable')))).rejects.toThrow('database unreachable');
    const second = await idempotency.run(req, user, () => Promise.resolve({ status: 201, contentType: 'application/json', body: '{"ok":true}' }));
    expect(second).toEqual({ status: 201, contentType: 'application/json', body: '{"ok":true}' });
    expect(await idempotency.run(req, user, () => Promise.reject(new Error('not called')))).toMatchObject({ status: 201, replayed: true });
  });
});

describe('limits', () => {
  test('each limit answers its own 4xx with problem+json', async () => {
    const platform = await sys.as('plat-1', 'platform');
    const { disputeId, path } = await openDispute();
    expectProblem(await platform.post('/v1/projects').set('content-type', 'application/json').send(JSON.stringify({ title: 'x'.repeat(101 * 1024) })), 413);
    expectProblem(await platform.post('/v1/projects').set('content-type', 'text/plain').send('hello'), 415);
    expectProblem(await platform.post('/v1/projects').set('content-type', 'application/json; charset=latin1').send('{}'), 415);
    expectProblem(await platform.post('/v1/projects').set('content-type', 'application/json').set('content-encoding', 'compress').send('{}'), 415);
    expectProblem(await platform.post('/v1/projects').send(projectBody({ title: 'x'.repeat(201) })), 400);
    expectProblem(await platform.post('/v1/projects').send(projectBody({ milestones: [{ title: 'A', amount: MAX_AMOUNT + 1 }] })), 400);
    expectProblem(await platform.post('/v1/projects').send(projectBody({ milestones: [{ title: 'A', amount: -1 }] })), 400);
    expectProblem(await platform.post('/v1/projects').send(projectBody({ milestones: [{ title: 'A', amount: 10.5 }] })), 400);
    expectProblem(await platform.post('/v1/projects').send(projectBody({ milestones: Array.from({ length: 51 }, () => ({ title: 'A', amount: 1 })) })), 400);
    expectProblem(await (await client()).post(`/v1/disputes/${disputeId}/responses`).send({ statement: 'x'.repeat(5001) }), 400);
    expectProblem(await (await sys.as('med-1', 'mediator')).get('/v1/mediation/disputes?limit=201'), 400);
    expectProblem(await (await sys.as('med-1', 'mediator')).get('/v1/me/notifications?limit=0'), 400);
    expectProblem(await (await sys.as('med-1', 'mediator')).get('/v1/mediation/disputes?sort=id'), 400);
    const upload = (await provider()).post(`${path}/payment-requests`);
    expectProblem(await upload.attach('invoice', PDF, 'a.pdf').attach('invoice', PDF, 'b.pdf').field('invoiceNumber', 'F-1').field('amount', '1'), 400);
    // a stranger is turned away before the upload is read
    const strangers = (await sys.as('p-9', 'provider')).post(`${path}/payment-requests`);
    expectProblem(await strangers.set('content-type', 'multipart/form-data; boundary=x').send('--x\r\nbroken'), 404);
    expectProblem(await platform.get('/v1/projects/%E0%A4%A'), 400);
    expectProblem(await platform.get(`/v1/projects/${'x'.repeat(65)}`), 400);
  });

  test('a body on a route that takes none is refused, so no field can slip in', async () => {
    const { path, disputeId } = await openDispute();
    expectProblem(await (await client()).post(`/v1/disputes/${disputeId}/withdraw`).send({ state: 'withdrawn' }), 400);
    expectProblem(await (await client()).post(`${path}/release`).send({ amount: 1, providerId: 'p-9' }), 400);
    expectProblem(await (await client()).post(`${path}/release`).set('content-type', 'text/plain').send('release'), 415);
  });

  test('headers over 16 KiB get a problem+json 431 from the server itself', async () => {
    const server = await listen(sys.app, 0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/health`, { headers: { 'x-big': 'a'.repeat(20000) } });
      expect([res.status, res.headers.get('content-type')]).toEqual([431, 'application/problem+json']);
      expect(await res.json()).toMatchObject({ status: 431 });
    } finally {
      server.close();
    }
  });
});

describe('rate limits', () => {
  test('per user, then per address: 429 with Retry-After, problem+json', async () => {
    const app = sys.appWith({ RATE_LIMIT_PER_USER: 3, RATE_LIMIT_PER_ADDRESS: 6, RATE_LIMIT_WINDOW: 60_000 });
    const as = async (sub: string) => `Bearer ${await sys.token(sub, 'client')}`;
    const get = async (sub: string) => request(app).get('/v1/me/notifications').set('authorization', await as(sub));
    for (let i = 0; i < 3; i++) expect((await get('c-a')).status).toBe(200);
    const limited = await get('c-a');
    expectProblem(limited, 429);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // another user from the same address still passes, until the address's own limit (the refused request counted)
    expect((await get('c-b')).status).toBe(200);
    expect((await get('c-b')).status).toBe(200);
    expectProblem(await get('c-c'), 429);
    expectProblem(await request(app).get('/health'), 429);
  });
});

describe('responses and logs', () => {
  test('security headers on JSON, problems and documents; no x-powered-by', async () => {
    for (const res of [await request(sys.app).get('/health'), await request(sys.app).get('/v1/nothing'), await request(sys.app).get('/openapi.json')]) {
      expect(res.headers).toMatchObject({
        'content-security-policy': expect.stringContaining("default-src 'none'"),
        'strict-transport-security': expect.stringContaining('max-age='),
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
      });
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  test('a failing dependency is a 503 without internals; the log has the error, with secrets redacted', async () => {
    const unreachable = createPool('postgres://app:db-password-1234@127.0.0.1:1/none', 1);
    const { log, text } = capturedLogger();
    const broken = createApp({ db: unreachable, temporal: sys.env.client, config: sys.config, log });
    const bearer = `Bearer ${await sys.token(CLIENT.id, 'client')}`;
    const res = await request(broken).get('/v1/projects/prj_x').set('authorization', bearer);
    const problem = expectProblem(res, 503);
    expect(res.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|at .*\.ts|password|stack/i);
    expect(problem.detail).toBe('the service could not complete the request; retry later');
    await unreachable.end();

    const stripeSecrets = { STRIPE_SECRET_KEY: 'sk_live_secret-key-5678', STRIPE_WEBHOOK_SECRET: 'whsec_endpoint-9012', STRIPE_CONNECT_WEBHOOK_SECRET: 'whsec_connect-3456' };
    log.error({ req: { headers: { authorization: bearer } }, config: { ...sys.config, ...stripeSecrets, DATABASE_URL: 'postgres://app:db-password-1234@h/db' }, token: 'tok-123' }, 'probe');
    await eventually(() => (text().includes('probe') ? true : undefined));
    expect(text()).toMatch(/request failed/);
    expect(text()).not.toContain(bearer.slice(7));
    expect(text()).not.toContain(sys.config.AUTH_JWT_SECRET);
    expect(text()).not.toContain(sys.config.PAYMENTS_WEBHOOK_SECRET);
    expect(text()).not.toContain('db-password-1234');
    expect(text()).not.toContain('tok-123');
    for (const secret of Object.values(stripeSecrets)) expect(text()).not.toContain(secret);
  });

  test('a webhook event for an unknown milestone is acknowledged, without effect, and logged', async () => {
    const { log, lines } = capturedLogger();
    const app = sys.appWith({}, log);
    const body = JSON.stringify({ id: 'evt_lost', type: 'deposit.succeeded', data: { milestoneId: 'ms_lost', amount: 100, currency: 'EUR', reference: 'r' } });
    const res = await request(app).post('/v1/webhooks/payments').set('content-type', 'application/json').set('payment-signature', signPayload(sys.config.PAYMENTS_WEBHOOK_SECRET, body)).send(body);
    expect([res.status, res.body.outcome]).toEqual([200, 'ignored: unknown milestone']);
    await eventually(() => lines.find((l) => l.eventId === 'evt_lost'));
    expect(lines.find((l) => l.eventId === 'evt_lost')).toMatchObject({ level: 40, outcome: 'ignored: unknown milestone' });
    const entries = async () => (await sys.db.query(`SELECT count(*)::int AS n FROM ledger_entries`)).rows[0].n;
    const before = await entries();
    const again = await request(app).post('/v1/webhooks/payments').set('content-type', 'application/json').set('payment-signature', signPayload(sys.config.PAYMENTS_WEBHOOK_SECRET, body)).send(body);
    expect(again.body.outcome).toBe('duplicate');
    expect(await entries()).toBe(before);
  });
});

test('the API process refuses to start in production with the dev secrets, and names them', async () => {
  const root = path.resolve(__dirname, '..', '..');
  const run = promisify(execFile)(path.join(root, 'node_modules', '.bin', 'tsx'), ['api/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', DATABASE_URL: sys.config.DATABASE_URL, PORT: '0' },
    timeout: 30000,
  });
  const failure = await run.then(() => undefined, (err: { code: number; stderr: string }) => err);
  expect(failure).toMatchObject({ code: 1, stderr: expect.stringContaining('refusing to run in production with the dev secrets') });
});
