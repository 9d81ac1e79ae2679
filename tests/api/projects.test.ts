import request from 'supertest';
import { PaymentRequestForm } from '../../api/routes/payment-requests.schemas';
import { CreateProjectBody } from '../../api/routes/projects.schemas';
import { MAX_AMOUNT } from '../../api/schemas/common';
import { refundWorkflowId } from '../../workflows/refund/contract';
import { CLIENT, PDF, PROVIDER } from '../helpers/fixtures';
import { expectProblem, projectBody, startApiSystem, type ApiSystem } from '../helpers/api-system';
import { eventually } from '../helpers/temporal';

let sys: ApiSystem;
beforeAll(async () => {
  sys = await startApiSystem();
});
afterAll(() => sys?.close());

describe('POST /v1/projects', () => {
  test('creates an R0 project whose milestones await deposit; the same externalId returns it again', async () => {
    const platform = await sys.as('platform-1', 'platform');
    const body = projectBody();
    const created = await platform.post('/v1/projects').send(body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^prj_/),
      formula: 'r0',
      state: 'active',
      milestones: [
        { id: expect.stringMatching(/^ms_/), title: 'Maquettes', amount: 120000, state: 'awaiting_deposit' },
        { id: expect.stringMatching(/^ms_/), title: 'Intégration', amount: 80000, state: 'awaiting_deposit' },
      ],
    });
    const again = await platform.post('/v1/projects').send(body);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(created.body.id);
    const { rows } = await sys.db.query('SELECT count(*)::int AS n FROM projects WHERE external_id = $1', [body.externalId]);
    expect(rows[0].n).toBe(1);
  });

  test('a client may create a project for themself only; a provider may not create one', async () => {
    const client = await sys.as(CLIENT.id, 'client');
    expect((await client.post('/v1/projects').send(projectBody())).status).toBe(201);
    const other = await sys.as('c-2', 'client');
    expectProblem(await other.post('/v1/projects').send(projectBody()), 403);
    const provider = await sys.as(PROVIDER.id, 'provider');
    expectProblem(await provider.post('/v1/projects').send(projectBody()), 403);
  });

  test('invalid bodies are 400 problem+json listing each field; nothing is stored', async () => {
    const platform = await sys.as('platform-1', 'platform');
    const before = (await sys.db.query('SELECT count(*)::int AS n FROM projects')).rows[0].n;
    const res = await platform.post('/v1/projects').send(
      projectBody({ formula: 'gold', currency: 'euro', milestones: [{ title: '', amount: 12.5 }, { title: 'x', amount: -1 }] }),
    );
    const problem = expectProblem(res, 400);
    const paths = problem.errors!.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['formula', 'currency', 'milestones.0.title', 'milestones.0.amount', 'milestones.1.amount']));
    expectProblem(await platform.post('/v1/projects').send(projectBody({ state: 'paid' })), 400);
    expectProblem(await platform.post('/v1/projects').send(projectBody({ provider: CLIENT })), 400);
    expectProblem(await platform.post('/v1/projects').set('content-type', 'application/json').send('{"externalId":'), 400);
    expectProblem(await platform.post('/v1/projects').set('content-type', 'text/plain').send('hello'), 415);
    expect((await sys.db.query('SELECT count(*)::int AS n FROM projects')).rows[0].n).toBe(before);
  });
});

describe('a finished project', () => {
  test('is returned as it is by a repeated create, and starts nothing new', async () => {
    const platform = await sys.as('platform-1', 'platform');
    const body = projectBody({ milestones: [{ title: 'Seule', amount: 1000 }] });
    const { body: project } = await platform.post('/v1/projects').send(body);
    const cancel = await (await sys.as(CLIENT.id, 'client')).post(`/v1/projects/${project.id}/milestones/${project.milestones[0].id}/cancel`);
    expect(cancel.body.state).toBe('cancelled');
    const finished = await eventually(async () => {
      const res = await platform.get(`/v1/projects/${project.id}`);
      return res.body.state === 'finished' ? res.body : undefined;
    }, 15000, 'project finished');
    const again = await platform.post('/v1/projects').send(body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(finished);
  });
});

// Bad tokens on every route: tests/security/authorization-matrix.test.ts.

describe('reading a project', () => {
  test('parties and mediators see it; anybody else gets 404', async () => {
    const platform = await sys.as('platform-1', 'platform');
    const { body: project } = await platform.post('/v1/projects').send(projectBody());
    for (const [sub, role] of [[CLIENT.id, 'client'], [PROVIDER.id, 'provider'], ['med-1', 'mediator']] as const) {
      const res = await (await sys.as(sub, role)).get(`/v1/projects/${project.id}`);
      expect(res.status).toBe(200);
      expect(res.body.milestones).toHaveLength(2);
    }
    expectProblem(await (await sys.as('c-2', 'client')).get(`/v1/projects/${project.id}`), 404);
    expectProblem(await (await sys.as('p-2', 'provider')).get(`/v1/projects/${project.id}/payments`), 404);
    expectProblem(await (await sys.as(CLIENT.id, 'client')).get('/v1/projects/prj_unknown'), 404);
  });
});

describe('basic formula', () => {
  test('every money operation is 422: the platform does not handle payment for it', async () => {
    const platform = await sys.as('platform-1', 'platform');
    const { body: project } = await platform.post('/v1/projects').send(projectBody({ formula: 'basic' }));
    expect(project.milestones.map((m: { state: string }) => m.state)).toEqual(['unmanaged', 'unmanaged']);
    const ms = `/v1/projects/${project.id}/milestones/${project.milestones[0].id}`;
    const client = await sys.as(CLIENT.id, 'client');
    const provider = await sys.as(PROVIDER.id, 'provider');
    const refusals = [
      await client.get(`/v1/projects/${project.id}/payments`),
      await provider.post(`${ms}/complete`),
      await client.post(`${ms}/release`),
      await client.post(`${ms}/cancel`),
      await provider.post(`${ms}/payment-requests`).attach('invoice', PDF, 'f.pdf').field('invoiceNumber', 'B-1').field('amount', '120000'),
      await sys.webhook('deposit.succeeded', { milestoneId: project.milestones[0].id, amount: 1000, currency: 'EUR', reference: 'b' }),
    ];
    for (const res of refusals) {
      expect(expectProblem(res, 422).detail).toMatch(/basic formula: the platform does not handle its payment/);
    }
    const { rows } = await sys.db.query('SELECT count(*)::int AS n FROM ledger_entries WHERE project_id = $1', [project.id]);
    expect(rows[0].n).toBe(0);
  });
});

/** Rules a client generator can only follow if the document states them: schemathesis found two it did not (issue 10). */
describe('what schemathesis found (issue 10): the document says what the server does', () => {
  const document = async () => (await request(sys.app).get('/openapi.json')).body;

  test('e-mail addresses: exactly those of the pattern (format: email allows more, e.g. a{b}#c@example.com)', async () => {
    const party = (await document()).components.schemas.CreateProject.properties.provider.properties.email;
    expect(party.format).toBeUndefined();
    const documented = new RegExp(party.pattern);
    const candidates = [
      'provider@example.test', 'a.b+c_d-e@sub.example.fr', "o'neil@example.com", 'i{wox7=0#6@zt0g.u6x3kzt7.net', 'g}ek##+u@4haduvlr.net',
      '.a@example.com', 'a..b@example.com', 'a.@example.com', "a'@example.com", 'a@example', 'a@-x.com', 'a@x.c', 'a@b@example.com', '',
    ];
    for (const email of candidates) {
      const accepted = CreateProjectBody.safeParse(projectBody({ provider: { ...PROVIDER, email } })).success;
      expect([email, accepted]).toEqual([email, documented.test(email)]);
    }
    const platform = await sys.as('platform-1', 'platform');
    expectProblem(await platform.post('/v1/projects').send(projectBody({ provider: { ...PROVIDER, email: 'g}ek##+u@4haduvlr.net' } })), 400);
  });

  test('webhook events: fields we do not know are ignored whatever they hold; the provider\'s ids are text, as stated', async () => {
    const event = (await document()).components.schemas.PaymentEvent;
    const failed = event.oneOf.find((e: any) => e.properties.type.enum[0] === 'payout.failed');
    const noControl = (schema: { pattern?: string }) => new RegExp(schema.pattern!).test('po\u0013x');
    expect([noControl(failed.properties.id), noControl(failed.properties.data.properties.payoutId)]).toEqual([false, false]);
    // an unknown field with control characters in its key and value (schemathesis's counterexample): was a 400
    const id = `evt_${Date.now()}`;
    const res = await sys.webhook('payout.failed', { payoutId: 'po_nope', reason: 'r', 'k\u0013': { v: '\u0000\u0002' } }, id);
    expect([res.status, res.body.outcome]).toEqual([200, 'ignored: unknown payout']);
    const { rows } = await sys.db.query('SELECT payload FROM webhook_events WHERE id = $1', [id]);
    expect(rows[0].payload).toEqual({ id, type: 'payout.failed', data: { payoutId: 'po_nope', reason: 'r' } });
    expect(expectProblem(await sys.webhook('payout.failed', { payoutId: 'po\u0013x' }), 400).errors).toEqual([{ path: 'data.payoutId', message: 'a text without control characters' }]);
  });

  test('a webhook event about a refund that has ended is acknowledged without effect (was an undocumented 409)', async () => {
    const platform = await sys.as('platform-1', 'platform');
    const { body: project } = await platform.post('/v1/projects').send(projectBody({ milestones: [{ title: 'A', amount: 5000 }] }));
    const ms = `/v1/projects/${project.id}/milestones/${project.milestones[0].id}`;
    await sys.fund(project.id, project.milestones[0].id);
    expect((await (await sys.as(CLIENT.id, 'client')).post(`${ms}/cancel`)).status).toBe(202);
    expect((await (await sys.as(PROVIDER.id, 'provider')).post(`${ms}/cancel`)).status).toBe(200);
    const refundId = await eventually(async () => (await sys.db.query('SELECT id FROM refunds WHERE milestone_id = $1', [project.milestones[0].id])).rows[0]?.id as string | undefined);
    await sys.env.client.workflow.getHandle(refundWorkflowId(refundId)).result(); // the sandbox gateway confirms it
    const late = await sys.webhook('refund.paid', { refundId });
    expect([late.status, late.body.outcome]).toEqual([200, 'ignored: this refund has ended']);
  });

  test('a refund id in a path: any text but control characters, as the URL guard and the document say', async () => {
    const param = (await document()).paths['/v1/refunds/{refundId}/retry'].post.parameters.find((p: { name: string }) => p.name === 'refundId');
    const documented = new RegExp(param.schema.pattern);
    expect([documented.test('rf_ms-1_stray_evt 1/é'), documented.test('rf\u0010x')]).toEqual([true, false]);
    expectProblem(await (await sys.as('plat-1', 'platform')).post('/v1/refunds/rf%10x/retry'), 400);
  });

  test('the amount field of an invoice upload: 1 to MAX_AMOUNT, in the pattern itself', async () => {
    const form = (await document()).paths['/v1/projects/{projectId}/milestones/{milestoneId}/payment-requests'].post.requestBody.content['multipart/form-data'];
    const documented = new RegExp(form.schema.properties.amount.pattern);
    const candidates = ['1', '9', '10', '120000', '999999999', String(MAX_AMOUNT), String(MAX_AMOUNT + 1), '9999999999', '0', '01', '-1', '+1', '1.5', '1e3', ''];
    for (const amount of candidates) {
      const accepted = PaymentRequestForm.safeParse({ invoiceNumber: 'F-1', amount }).success;
      expect([amount, accepted]).toEqual([amount, documented.test(amount)]);
    }
  });
});
