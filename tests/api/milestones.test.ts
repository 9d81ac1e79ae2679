import { createHash } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import pino from 'pino';
import request from 'supertest';
import { signPayload } from '../../lib/webhook-signature';
import { CLIENT, PDF, PROVIDER } from '../helpers/fixtures';
import { expectProblem, projectBody, startApiSystem, type ApiSystem } from '../helpers/api-system';
import { eventually } from '../helpers/temporal';

let sys: ApiSystem;
beforeAll(async () => {
  sys = await startApiSystem({ PAYMENT_PROVIDER: 'webhook' });
});
afterAll(() => sys?.close());

async function newProject(milestones = [{ title: 'Maquettes', amount: 120000 }]) {
  const platform = await sys.as('platform-1', 'platform');
  const { body } = await platform.post('/v1/projects').send(projectBody({ milestones }));
  const milestoneId: string = body.milestones[0].id;
  return { projectId: body.id as string, milestoneId, path: `/v1/projects/${body.id}/milestones/${milestoneId}` };
}

async function summary(projectId: string) {
  const res = await (await sys.as(CLIENT.id, 'client')).get(`/v1/projects/${projectId}/payments`);
  expect(res.status).toBe(200);
  return res.body;
}

const milestoneState = async (projectId: string, milestoneId: string) => {
  const res = await (await sys.as(CLIENT.id, 'client')).get(`/v1/projects/${projectId}`);
  return res.body.milestones.find((m: { id: string }) => m.id === milestoneId).state as string;
};

describe('webhooks', () => {
  test('a bad, missing or stale signature is 401 and changes nothing', async () => {
    const { milestoneId, projectId } = await newProject();
    const body = JSON.stringify({ id: 'evt_sig', type: 'deposit.succeeded', data: { milestoneId, amount: 1000, currency: 'EUR', reference: 'x' } });
    const post = (signature?: string) => {
      const req = request(sys.app).post('/v1/webhooks/payments').set('content-type', 'application/json');
      if (signature) req.set('payment-signature', signature);
      return req.send(body);
    };
    expectProblem(await post(), 401);
    expectProblem(await post(signPayload('not-the-secret-000000', body)), 401);
    expectProblem(await post(signPayload(sys.config.PAYMENTS_WEBHOOK_SECRET, body, Math.floor(Date.now() / 1000) - 301)), 401);
    expect((await summary(projectId)).totals.deposited).toBe(0);
    const { rowCount } = await sys.db.query(`SELECT 1 FROM webhook_events WHERE id = 'evt_sig'`);
    expect(rowCount).toBe(0);
  });

  test('deposits in parts fund the milestone; a redelivered event has no second effect', async () => {
    const { projectId, milestoneId } = await newProject();
    const first = await sys.webhook('deposit.succeeded', { milestoneId, amount: 100000, currency: 'EUR', reference: 'v1' }, 'evt_part1');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ received: true, outcome: 'applied' });
    const dup = await sys.webhook('deposit.succeeded', { milestoneId, amount: 100000, currency: 'EUR', reference: 'v1' }, 'evt_part1');
    expect(dup.body.outcome).toBe('duplicate');
    const live = await (await sys.as(PROVIDER.id, 'provider')).get(`/v1/projects/${projectId}/milestones/${milestoneId}`);
    expect(live.body).toMatchObject({ state: 'awaiting_deposit', deposited: 100000, inEscrow: 100000, amount: 120000 });
    await sys.webhook('deposit.succeeded', { milestoneId, amount: 20000, currency: 'EUR', reference: 'v2' }, 'evt_part2');
    await eventually(async () => ((await milestoneState(projectId, milestoneId)) === 'funded' ? true : undefined), 10000, 'funded');
    const s = await summary(projectId);
    expect(s.milestones[0]).toMatchObject({ state: 'funded', deposited: 120000, inEscrow: 120000, refunded: 0 });
    await sys.mail.waitFor((m) => m.to.includes(PROVIDER.email) && m.subject === 'Échéance financée : Maquettes');
  });

  test('unknown milestones and payouts are acknowledged without effect; a currency mismatch is 422', async () => {
    const unknown = await sys.webhook('deposit.succeeded', { milestoneId: 'ms_nope', amount: 1, currency: 'EUR', reference: 'r' });
    expect(unknown.status).toBe(200);
    expect(unknown.body.outcome).toMatch(/^ignored/);
    expect((await sys.webhook('payout.paid', { payoutId: 'po_nope' })).body.outcome).toMatch(/^ignored/);
    const { milestoneId, projectId } = await newProject();
    expectProblem(await sys.webhook('deposit.succeeded', { milestoneId, amount: 1000, currency: 'USD', reference: 'r' }), 422);
    expectProblem(await sys.webhook('deposit.succeeded', { milestoneId, amount: -5, currency: 'EUR', reference: 'r' }), 400);
    expectProblem(await sys.webhook('mystery.event', { milestoneId }), 400);
    expect((await summary(projectId)).totals.deposited).toBe(0);
  });
});

describe('milestone actions', () => {
  test('wrong role 403, non-party 404, wrong state 409, all problem+json', async () => {
    const { path } = await newProject();
    const client = await sys.as(CLIENT.id, 'client');
    const provider = await sys.as(PROVIDER.id, 'provider');
    expectProblem(await client.post(`${path}/complete`), 403);
    expectProblem(await provider.post(`${path}/release`), 403);
    expectProblem(await (await sys.as('p-2', 'provider')).post(`${path}/complete`), 404);
    expectProblem(await (await sys.as('med-1', 'mediator')).post(`${path}/release`), 403);
    expect(expectProblem(await provider.post(`${path}/complete`), 409).detail).toMatch(/awaiting_deposit/);
    expectProblem(await client.post(`${path}/release`), 409);
    expectProblem(await client.post(`${path.replace(/ms_[\w-]+$/, 'ms_unknown')}/release`), 404);
  });

  test('cancel: at once before funding; after funding 202 until the other party agrees, then refunded', async () => {
    const a = await newProject();
    const client = await sys.as(CLIENT.id, 'client');
    const provider = await sys.as(PROVIDER.id, 'provider');
    const cancelled = await provider.post(`${a.path}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ outcome: 'cancelled', state: 'cancelled' });
    expectProblem(await client.post(`${a.path}/cancel`), 409);

    const b = await newProject();
    await sys.fund(b.projectId, b.milestoneId);
    const pending = await client.post(`${b.path}/cancel`);
    expect(pending.status).toBe(202);
    expect(pending.body).toMatchObject({ outcome: 'pending', cancelRequestedBy: ['client'] });
    const refunded = await provider.post(`${b.path}/cancel`);
    expect(refunded.status).toBe(200);
    expect(refunded.body).toMatchObject({ outcome: 'refunded', state: 'refunded' });
    expect((await summary(b.projectId)).milestones[0]).toMatchObject({ deposited: 120000, refunded: 120000, inEscrow: 0, released: 0 });
    // the refund is then ordered to the client's bank (the webhook gateway waits for refund.paid)
    const timeline = await eventually(async () => {
      const res = await client.get(`${b.path}/timeline`);
      return res.body.events.length === 5 ? res : undefined;
    });
    // 'refunded' (the milestone) and 'refund_ordered' (its refund workflow) are written by two workflows at once
    const types: string[] = timeline.body.events.map((e: { type: string }) => e.type);
    expect([...types.slice(0, 3), ...types.slice(3).sort()]).toEqual(['deposit_received', 'funded', 'cancel_requested', 'refund_ordered', 'refunded']);
    const { rows } = await sys.db.query('SELECT id, amount, state FROM refunds WHERE milestone_id = $1', [b.milestoneId]);
    expect(rows).toEqual([{ id: expect.any(String), amount: 120000, state: 'ordered' }]);
    expect((await sys.webhook('refund.paid', { refundId: rows[0].id })).body.outcome).toBe('applied');
    await eventually(async () => ((await summary(b.projectId)).milestones[0].refundsPending === 0 ? true : undefined));
  });
});

describe('payment requests', () => {
  async function releasedMilestone() {
    const p = await newProject([{ title: 'Maquettes', amount: 50000 }]);
    await sys.fund(p.projectId, p.milestoneId);
    expect((await (await sys.as(CLIENT.id, 'client')).post(`${p.path}/release`)).status).toBe(200);
    return p;
  }
  const upload = async (path: string, fields: { invoiceNumber?: string; amount?: string }, file: Buffer | null = PDF) => {
    const req = (await sys.as(PROVIDER.id, 'provider')).post(`${path}/payment-requests`);
    if (file) req.attach('invoice', file, 'facture.pdf');
    for (const [k, v] of Object.entries(fields)) req.field(k, v);
    return req;
  };

  test('refusals: not a PDF 415, no file 400, bad amount 400, wrong amount 422, wrong state 409; a refusal says why and moves nothing', async () => {
    const p = await releasedMilestone();
    expectProblem(await upload(p.path, { invoiceNumber: 'F-1', amount: '50000' }, Buffer.from('GIF89a not a pdf')), 415);
    expectProblem(await upload(p.path, { invoiceNumber: 'F-1', amount: '50000' }, null), 400);
    expectProblem(await upload(p.path, { invoiceNumber: 'F-1', amount: 'lots' }), 400);
    expect(expectProblem(await upload(p.path, { invoiceNumber: 'F-1', amount: '49999' }), 422).detail).toMatch(/released amount \(50000\)/);
    const json = await (await sys.as(PROVIDER.id, 'provider')).post(`${p.path}/payment-requests`).send({ invoiceNumber: 'F-1', amount: 50000 });
    expectProblem(json, 415);
    const early = await newProject();
    expectProblem(await upload(early.path, { invoiceNumber: 'F-2', amount: '120000' }), 409);
    // only the refusals of the workflow's rules leave a trace: rejected requests, with their reason, on the dashboard
    const { rows } = await sys.db.query('SELECT milestone_id, state, failure_reason FROM payment_requests WHERE milestone_id IN ($1, $2) ORDER BY created_at', [p.milestoneId, early.milestoneId]);
    expect(rows).toEqual([
      { milestone_id: p.milestoneId, state: 'rejected', failure_reason: expect.stringMatching(/released amount \(50000\)/) },
      { milestone_id: early.milestoneId, state: 'rejected', failure_reason: expect.stringMatching(/awaiting_deposit/) },
    ]);
    expect((await summary(p.projectId)).milestones[0]).toMatchObject({ released: 50000, payable: 50000, paidOut: 0 });
  });

  test('a file over 10 MiB is 413', async () => {
    const p = await releasedMilestone();
    const big = Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]);
    expectProblem(await upload(p.path, { invoiceNumber: 'F-big', amount: '50000' }, big), 413);
  });

  test('a valid invoice schedules the payout; payout.paid makes it paid on the dashboard', async () => {
    const p = await releasedMilestone();
    const res = await upload(p.path, { invoiceNumber: 'F-2026-001', amount: '50000' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ state: 'payment_requested', invoice: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(res.body.invoice.sha256).toBe(createHash('sha256').update(PDF).digest('hex'));
    expectProblem(await upload(p.path, { invoiceNumber: 'F-2026-001', amount: '50000' }), 422);

    const provider = await sys.as(PROVIDER.id, 'provider');
    const ordered = await eventually(async () => {
      const { body } = await provider.get('/v1/me/payment-requests');
      const item = body.items.find((i: { milestoneId: string }) => i.milestoneId === p.milestoneId);
      return item?.payoutId ? item : undefined;
    }, 15000, 'payout ordered');
    expect(ordered).toMatchObject({ state: 'scheduled', invoiceNumber: 'F-2026-001', amount: 50000, projectId: p.projectId, paidAt: null });
    expect((await sys.webhook('payout.paid', { payoutId: ordered.payoutId })).body.outcome).toBe('applied');
    await eventually(async () => ((await milestoneState(p.projectId, p.milestoneId)) === 'paid' ? true : undefined), 15000, 'paid');
    const { body } = await provider.get('/v1/me/payment-requests');
    expect(body.items.find((i: { id: string }) => i.id === ordered.id)).toMatchObject({ state: 'paid', paidAt: expect.any(String) });
    expect((await summary(p.projectId)).milestones[0]).toMatchObject({ state: 'paid', released: 50000, paidOut: 50000, inEscrow: 0 });
    expectProblem(await (await sys.as(CLIENT.id, 'client')).get('/v1/me/payment-requests'), 403);
  });
});

describe('service routes', () => {
  test('/health, /ready and /openapi.json generated from the schemas', async () => {
    expect((await request(sys.app).get('/health')).body).toEqual({ status: 'ok' });
    expect((await request(sys.app).get('/ready')).body).toEqual({ status: 'ready', postgres: 'ok', temporal: 'ok' });
    const spec = (await request(sys.app).get('/openapi.json')).body;
    expect(spec.openapi).toBe('3.1.0');
    for (const path of ['/v1/projects', '/v1/projects/{projectId}/payments', '/v1/projects/{projectId}/milestones/{milestoneId}/payment-requests', '/v1/webhooks/payments', '/v1/me/payment-requests']) {
      expect(spec.paths[path]).toBeDefined();
    }
    expect(spec.components.schemas.CreateProject.properties.formula.enum).toEqual(['r0', 'basic']);
    expectProblem(await request(sys.app).get('/nowhere'), 404);
  });
});

describe('request logs', () => {
  test('one line per request with its route template, status, caller and id; the id is echoed and reaches the workflow history', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const app = sys.appWith({}, log);
    const { projectId, milestoneId, path } = await newProject();
    await sys.fund(projectId, milestoneId);
    const bearer = `Bearer ${await sys.token(CLIENT.id, 'client')}`;

    const released = await request(app).post(`${path}/release`).set('authorization', bearer).set('X-Request-Id', 'trace-42');
    expect(released.status).toBe(200);
    expect(released.headers['x-request-id']).toBe('trace-42');
    const generated = await request(app).get(`/v1/projects/${projectId}`).set('X-Request-Id', 'not a token\u00e9');
    expect(generated.headers['x-request-id']).toMatch(/^req_[0-9a-f-]{36}$/);

    expect(lines.filter((l) => l.msg === 'request')).toEqual([
      expect.objectContaining({ requestId: 'trace-42', method: 'POST', route: '/v1/projects/:projectId/milestones/:milestoneId/release', status: 200, user: CLIENT.id, role: 'client', ms: expect.any(Number) }),
      expect.objectContaining({ requestId: generated.headers['x-request-id'], method: 'GET', route: '/v1/projects/:projectId', status: 401 }),
    ]);
    expect(JSON.stringify(lines)).not.toContain(bearer.slice(7));

    const history = await sys.env.client.workflow.getHandle(`milestone:${milestoneId}`).fetchHistory();
    const accepted = history.events!.find((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'release');
    const header = accepted!.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.header!.fields!['x-request-id'];
    expect(defaultPayloadConverter.fromPayload(header)).toBe('trace-42');
  });
});
