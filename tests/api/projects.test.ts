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
