import { CLIENT, PROVIDER } from '../helpers/fixtures';
import { expectProblem, projectBody, startApiSystem, type ApiSystem } from '../helpers/api-system';
import { eventually } from '../helpers/temporal';

let sys: ApiSystem;
beforeAll(async () => {
  // A short response window so escalation happens within the test; reminders before it.
  sys = await startApiSystem({ DISPUTE_RESPONSE_WINDOW: '4s', DISPUTE_REMINDER_SCHEDULE: '1s' });
});
afterAll(() => sys?.close());

const as = (who: 'client' | 'provider' | 'mediator' | 'stranger') =>
  who === 'client' ? sys.as(CLIENT.id, 'client') : who === 'provider' ? sys.as(PROVIDER.id, 'provider') : who === 'mediator' ? sys.as('med-1', 'mediator') : sys.as('c-9', 'client');

async function fundedMilestone(formula: 'r0' | 'basic' = 'r0', fund = true) {
  const platform = await sys.as('platform-1', 'platform');
  const { body } = await platform.post('/v1/projects').send(projectBody({ formula, milestones: [{ title: 'Maquettes', amount: 100000 }] }));
  const milestoneId: string = body.milestones[0].id;
  const path = `/v1/projects/${body.id}/milestones/${milestoneId}`;
  if (fund) await sys.fund(body.id, milestoneId);
  return { projectId: body.id as string, milestoneId, path };
}

const openDispute = async (path: string, who: 'client' | 'provider' = 'provider') =>
  (await as(who)).post(`${path}/disputes`).send({ reason: 'Client silencieux', statement: 'Le travail est livré depuis deux semaines.' });

test('declaring a dispute: 201 for a party on a funded milestone; the refusals say why', async () => {
  const { path } = await fundedMilestone();
  expectProblem(await (await as('mediator')).post(`${path}/disputes`).send({ reason: 'x', statement: 'y' }), 403);
  expectProblem(await (await as('stranger')).post(`${path}/disputes`).send({ reason: 'x', statement: 'y' }), 404);
  const invalid = expectProblem(await (await as('provider')).post(`${path}/disputes`).send({ reason: '', statement: 'y', amount: 5 }), 400);
  expect(invalid.errors!.map((e) => e.path).sort()).toEqual(['(root)', 'reason'].sort());
  const unfunded = await fundedMilestone('r0', false);
  expectProblem(await openDispute(unfunded.path), 409);
  const basic = await fundedMilestone('basic', false);
  expectProblem(await openDispute(basic.path), 422);

  const res = await openDispute(path);
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ id: expect.stringMatching(/^dsp_/), state: 'open', openedBy: 'provider', respondent: 'client', inEscrow: 100000 });
  expectProblem(await openDispute(path, 'client'), 409);
  expect(expectProblem(await (await as('client')).post(`${path}/release`), 409).detail).toMatch(/disputed/);
  expectProblem(await (await as('client')).post(`${path}/cancel`), 409);

  for (const who of ['client', 'provider', 'mediator'] as const) {
    const seen = await (await as(who)).get(`/v1/disputes/${res.body.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.statements[0]).toMatchObject({ by: 'provider', kind: 'opening' });
  }
  expectProblem(await (await as('stranger')).get(`/v1/disputes/${res.body.id}`), 404);
  expectProblem(await (await as('client')).get('/v1/disputes/dsp_unknown'), 404);
});

test('responses and amicable settlement over HTTP', async () => {
  const { path, projectId } = await fundedMilestone();
  const { body: dispute } = await openDispute(path);
  const d = `/v1/disputes/${dispute.id}`;
  expectProblem(await (await as('provider')).post(`${d}/responses`).send({ statement: 'moi-même' }), 403);
  expect((await (await as('client')).post(`${d}/responses`).send({ statement: 'Il manque la page contact.' })).status).toBe(201);
  expectProblem(await (await as('client')).post(`${d}/responses`).send({ statement: 'encore' }), 409);
  expectProblem(await (await as('client')).post(`${d}/proposals`).send({ providerAmount: 100001 }), 422);
  expectProblem(await (await as('client')).post(`${d}/proposals`).send({ providerAmount: '60000' }), 400);
  const proposal = await (await as('client')).post(`${d}/proposals`).send({ providerAmount: 60000 });
  expect(proposal.status).toBe(201);
  expect(proposal.body.proposalId).toMatch(/^prop_/);
  expectProblem(await (await as('client')).post(`${d}/proposals/${proposal.body.proposalId}/accept`), 403);
  // a proposal id that names nothing is a 404 like any path id (was a 422 business refusal: schemathesis, issue 10)
  expect(expectProblem(await (await as('provider')).post(`${d}/proposals/prop_unknown/accept`), 404).detail).toMatch(/no proposal prop_unknown/);
  expectProblem(await (await as('mediator')).post(`${d}/proposals/${proposal.body.proposalId}/accept`), 403);
  const accepted = await (await as('provider')).post(`${d}/proposals/${proposal.body.proposalId}/accept`);
  expect(accepted.status).toBe(200);
  expect(accepted.body).toMatchObject({ state: 'settled', settlement: { providerAmount: 60000, clientAmount: 40000 } });
  const summary = await (await as('provider')).get(`/v1/projects/${projectId}/payments`);
  expect(summary.body.milestones[0]).toMatchObject({ state: 'released', deposited: 100000, released: 60000, refunded: 40000, inEscrow: 0 });
  expectProblem(await (await as('client')).post(`${d}/withdraw`), 409);
});

test('the SMA queue, an information request and the decision', async () => {
  const { path, projectId } = await fundedMilestone();
  const { body: dispute } = await openDispute(path);
  const d = `/v1/disputes/${dispute.id}`;
  const mediator = await as('mediator');
  expectProblem(await mediator.post(`${d}/decision`).send({ providerAmount: 100000, clientAmount: 0, rationale: 'trop tôt' }), 409);
  const queue = await eventually(async () => {
    const res = await mediator.get('/v1/mediation/disputes?state=escalated');
    return res.body.items.some((i: { id: string }) => i.id === dispute.id) ? res.body.items : undefined;
  }, 20000, 'escalated');
  expect(queue.every((i: { state: string }) => i.state === 'escalated')).toBe(true);
  const escalated = (await mediator.get(d)).body;
  expect(escalated.reminders.map((r: { to: string; about: string }) => [r.to, r.about])).toEqual([['client', 'response']]);
  expectProblem(await (await as('client')).get('/v1/mediation/disputes'), 403);
  expectProblem(await mediator.get('/v1/mediation/disputes?state=lost'), 400);

  expect((await mediator.post(`${d}/information-requests`).send({ party: 'client', question: 'Pourquoi ce silence ?' })).status).toBe(201);
  expect((await (await as('client')).post(`${d}/responses`).send({ statement: 'J’étais en congés.' })).status).toBe(201);
  expectProblem(await (await as('client')).post(`${d}/decision`).send({ providerAmount: 0, clientAmount: 100000, rationale: 'moi' }), 403);
  expectProblem(await mediator.post(`${d}/decision`).send({ providerAmount: 50000, clientAmount: 40000, rationale: 'x' }), 422);
  const decided = await mediator.post(`${d}/decision`).send({ providerAmount: 100000, clientAmount: 0, rationale: 'Travail conforme au cahier des charges.' });
  expect(decided.status).toBe(200);
  expect(decided.body).toMatchObject({ state: 'decided', decision: { providerAmount: 100000, by: 'med-1' } });
  expect((await (await as('provider')).get(`/v1/projects/${projectId}/payments`)).body.milestones[0]).toMatchObject({ state: 'released', released: 100000, inEscrow: 0 });
  expectProblem(await mediator.post(`${d}/decision`).send({ providerAmount: 100000, clientAmount: 0, rationale: 'again' }), 409);

  const feed = await eventually(async () => {
    const res = await (await as('provider')).get('/v1/me/notifications');
    return res.body.items.some((n: { kind: string }) => n.kind === 'dispute_decided') ? res : undefined;
  });
  const kinds = feed.body.items.map((n: { kind: string }) => n.kind);
  expect(kinds.indexOf('dispute_decided')).toBeLessThan(kinds.indexOf('dispute_escalated'));
  expect(feed.body.items.find((n: { kind: string }) => n.kind === 'dispute_decided')).toMatchObject({ disputeId: dispute.id, title: 'Décision du Service Médiation & Arbitrage : Maquettes' });
  const clientFeed = (await (await as('client')).get('/v1/me/notifications?limit=200')).body.items;
  expect(clientFeed.some((n: { kind: string }) => n.kind === 'dispute_reminder')).toBe(true);
  expect(clientFeed.every((n: { kind: string }) => n.kind !== 'funds_released')).toBe(true);
  expectProblem(await (await as('client')).get('/v1/me/notifications?limit=0'), 400);
});

test('withdrawal by the opener returns the milestone to funded', async () => {
  const { path } = await fundedMilestone();
  const { body: dispute } = await openDispute(path, 'client');
  expectProblem(await (await as('provider')).post(`/v1/disputes/${dispute.id}/withdraw`), 403);
  const res = await (await as('client')).post(`/v1/disputes/${dispute.id}/withdraw`);
  expect(res.status).toBe(200);
  expect(res.body.state).toBe('withdrawn');
  expect((await (await as('client')).get(path)).body).toMatchObject({ state: 'funded', inEscrow: 100000 });
  const timeline = await (await as('provider')).get(`${path}/timeline`);
  expect(timeline.body.events.map((e: { type: string }) => e.type).slice(-2)).toEqual(['dispute_opened', 'dispute_withdrawn']);
});

test('a control character or a lone surrogate in a statement or a form field is a 400: PostgreSQL would refuse it and stall the dispute', async () => {
  const { path } = await fundedMilestone();
  const nul = expectProblem(await (await as('provider')).post(`${path}/disputes`).send({ reason: 'Retard', statement: 'a\u0000b' }), 400);
  expect(nul.errors).toEqual([{ path: 'statement', message: 'not text: control characters and lone surrogates are refused' }]);
  expectProblem(await (await as('provider')).post(`${path}/disputes`).send({ reason: '\ud800', statement: 'ok' }), 400);
  expectProblem(await (await as('provider')).post(`${path}/disputes`).send({ reason: 'Retard', statement: 'ok', ['k\u0007']: 1 }), 400);
  const upload = (await as('provider')).post(`${path}/payment-requests`).attach('invoice', Buffer.from('%PDF-1.4\n'), 'f.pdf');
  expectProblem(await upload.field('invoiceNumber', 'F\u00001').field('amount', '100000'), 400);

  const opened = await (await as('provider')).post(`${path}/disputes`).send({ reason: 'Retard', statement: 'Ligne 1\nLigne 2\tfin' });
  expect(opened.status).toBe(201);
  expectProblem(await (await as('client')).post(`/v1/disputes/${opened.body.id}/responses`).send({ statement: '\u0000' }), 400);
  const answered = await (await as('client')).post(`/v1/disputes/${opened.body.id}/responses`).send({ statement: 'Pas encore.' });
  expect(answered.status).toBe(201);
  await eventually(async () => ((await (await as('client')).get(`/v1/disputes/${opened.body.id}`)).body.statements?.length === 2 ? true : undefined), 10000, 'the response in the read model');
});

test('bounds on what parties append: the 21st proposal and a third dispute are 409 limit-reached; texts come back whole', async () => {
  const { path } = await fundedMilestone();
  const statement = 'Le travail est livré depuis deux semaines.';
  const { body: first } = await openDispute(path);
  expect(first.statements[0].text).toBe(statement);
  const d = `/v1/disputes/${first.id}`;
  for (let i = 0; i < 20; i++) {
    const res = await (await as(i % 2 === 0 ? 'client' : 'provider')).post(`${d}/proposals`).send({ providerAmount: 50000 + i });
    expect(res.status).toBe(201);
    expect(res.body.statements[0].text).toBe(statement);
  }
  const beyond = expectProblem(await (await as('client')).post(`${d}/proposals`).send({ providerAmount: 1 }), 409);
  expect(beyond.type).toMatch(/\/limit-reached$/);
  expect(beyond.detail).toMatch(/at most 20 settlement proposals/);
  expect((await (await as('client')).get(d)).body.proposals).toHaveLength(20);

  expect((await (await as('provider')).post(`${d}/withdraw`)).status).toBe(200);
  const second = await openDispute(path, 'client');
  expect(second.status).toBe(201);
  expect((await (await as('client')).post(`/v1/disputes/${second.body.id}/withdraw`)).status).toBe(200);
  expect(expectProblem(await openDispute(path), 409).type).toMatch(/\/limit-reached$/);
});
