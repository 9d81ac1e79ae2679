/**
 * The everyday moves through the API (issue 17): partial releases, requests for changes, provider refunds, bonuses.
 * Each test ends with the ledger check and a summary whose every line adds up.
 */
import request from 'supertest';
import { checkLedger } from '../../db/ledger-check';
import { CLIENT, PDF, PROVIDER, uniq } from '../helpers/fixtures';
import { expectProblem, projectBody, startApiSystem, type ApiSystem } from '../helpers/api-system';
import { eventually } from '../helpers/temporal';

let sys: ApiSystem;
beforeAll(async () => {
  sys = await startApiSystem({ PAYMENT_PROVIDER: 'webhook', PAYOUT_DELAY: '0s', CHANGE_ROUNDS_BEFORE_MEDIATION: '1' });
});
afterEach(async () => {
  expect(await checkLedger(sys.db)).toEqual([]);
});
afterAll(() => sys?.close());

const client = () => sys.as(CLIENT.id, 'client');
const provider = () => sys.as(PROVIDER.id, 'provider');
type Project = { id: string; milestones: { id: string; amount: number }[] };

async function project(amounts: number[]): Promise<Project> {
  const milestones = amounts.map((amount, i) => ({ title: `M${i + 1}`, amount }));
  const { body } = await (await sys.as('platform-1', 'platform')).post('/v1/projects').send(projectBody({ milestones, commissionRate: 0.1, escrowFeeRate: 0.03 }));
  return body;
}
const ms = (p: Project, id: string) => `/v1/projects/${p.id}/milestones/${id}`;

type Line = { milestoneId: string; kind: string; amount: number; deposited: number; released: number; refunded: number; inEscrow: number; paidOut: number; releases: { amount: number }[] };
async function summary(p: Project): Promise<{ milestones: Line[]; totals: Omit<Line, 'milestoneId' | 'kind' | 'releases'> }> {
  const body = (await (await client()).get(`/v1/projects/${p.id}/payments`)).body;
  for (const line of [...body.milestones, body.totals]) expect(line.inEscrow).toBe(line.deposited - line.released - line.refunded);
  return body;
}

async function requestPayment(p: Project, id: string, amount: number): Promise<request.Response> {
  return (await provider()).post(`${ms(p, id)}/payment-requests`).attach('invoice', PDF, 'f.pdf').field('invoiceNumber', uniq('F')).field('amount', String(amount));
}

/** Waits for the payment request's payout to be ordered, confirms it as the payment provider would, waits for paid. */
async function payOut(paymentRequestId: string): Promise<void> {
  const item = async () => (await (await provider()).get('/v1/me/payment-requests')).body.items.find((i: { id: string }) => i.id === paymentRequestId);
  const ordered = await eventually(async () => ((await item())?.payoutId ? await item() : undefined));
  expect((await sys.webhook('payout.paid', { payoutId: ordered.payoutId })).status).toBe(200);
  await eventually(async () => ((await item()).state === 'paid' ? true : undefined));
}

test('a milestone released in two parts, each invoiced and paid out on its own', async () => {
  const p = await project([100000]);
  const id = p.milestones[0].id;
  await sys.fund(p.id, id);
  expectProblem(await (await client()).post(`${ms(p, id)}/release`).send({ amount: 0 }), 400);
  expectProblem(await (await client()).post(`${ms(p, id)}/release`).send({ amount: 100001 }), 422);
  const key = uniq('idem');
  const part = await (await client()).post(`${ms(p, id)}/release`).set('Idempotency-Key', key).send({ amount: 30000 });
  expect(part.status).toBe(200);
  expect(part.body).toMatchObject({ state: 'funded', released: 30000, inEscrow: 70000, requestable: 30000 });
  // the same key again answers the first response and releases nothing more
  const replay = await (await client()).post(`${ms(p, id)}/release`).set('Idempotency-Key', key).send({ amount: 30000 });
  expect(replay.body).toEqual(part.body);

  expectProblem(await requestPayment(p, id, 100000), 422);
  const first = await requestPayment(p, id, 30000);
  expect(first.status).toBe(201);
  await payOut(first.body.paymentRequestId);

  expect((await (await client()).post(`${ms(p, id)}/release`)).body).toMatchObject({ state: 'released', released: 100000, requestable: 70000 });
  const second = await requestPayment(p, id, 70000);
  expect(second.status).toBe(201);
  await payOut(second.body.paymentRequestId);

  const milestone = (await (await client()).get(ms(p, id))).body;
  expect(milestone.state).toBe('paid');
  expect(milestone.paymentRequests.map((r: { amount: number; payoutAmount: number }) => [r.amount, r.payoutAmount])).toEqual([[30000, 27000], [70000, 63000]]);
  const line = (await summary(p)).milestones[0];
  expect(line).toMatchObject({ state: 'paid', released: 100000, paidOut: 90000, commission: 10000, escrowFee: 3000 });
  expect(line.releases.map((r) => r.amount)).toEqual([30000, 70000]);
  const dashboard = (await (await provider()).get('/v1/me/payment-requests')).body.items.filter((i: { milestoneId: string }) => i.milestoneId === id);
  expect(dashboard.map((i: { amount: number; state: string }) => [i.amount, i.state]).sort()).toEqual([[100000, 'rejected'], [30000, 'paid'], [70000, 'paid']]);
  const timeline = (await (await client()).get(`${ms(p, id)}/timeline`)).body.events.map((e: { type: string }) => e.type);
  expect(timeline).toEqual(expect.arrayContaining(['partially_released', 'released']));
});

test('the client asks for changes, the provider delivers again and is paid; past the setting, mediation is suggested', async () => {
  const p = await project([40000]);
  const id = p.milestones[0].id;
  await sys.fund(p.id, id);
  expectProblem(await (await client()).post(`${ms(p, id)}/request-changes`).send({ message: 'Trop tôt' }), 409);
  await (await provider()).post(`${ms(p, id)}/complete`);
  expectProblem(await (await client()).post(`${ms(p, id)}/request-changes`).send({ message: '   ' }), 400);
  expectProblem(await (await provider()).post(`${ms(p, id)}/request-changes`).send({ message: 'Moi-même' }), 403);
  const changed = await (await client()).post(`${ms(p, id)}/request-changes`).send({ message: 'Le titre est mal orthographié.' });
  expect(changed.status).toBe(200);
  expect(changed.body).toMatchObject({ state: 'funded', changeRounds: 1 });
  const feed = async (who: typeof client) => (await (await who()).get('/v1/me/notifications')).body.items.filter((n: { milestoneId?: string }) => n.milestoneId === id);
  await eventually(async () => ((await feed(provider)).some((n: { kind: string; body: string }) => n.kind === 'changes_requested' && n.body.includes('mal orthographié')) ? true : undefined));

  await (await provider()).post(`${ms(p, id)}/complete`);
  expect((await (await client()).post(`${ms(p, id)}/request-changes`).send({ message: 'Encore une fois.' })).body).toMatchObject({ changeRounds: 2 });
  for (const who of [client, provider]) {
    await eventually(async () => ((await feed(who)).some((n: { kind: string }) => n.kind === 'mediation_suggested') ? true : undefined));
  }
  await (await provider()).post(`${ms(p, id)}/complete`);
  const released = (await (await client()).post(`${ms(p, id)}/release`)).body;
  expect(released).toMatchObject({ state: 'released', changeRounds: 2 });
  expect(released.disputeId).toBeUndefined(); // suggested, never opened
  const paid = await requestPayment(p, id, 40000);
  await payOut(paid.body.paymentRequestId);
  expect((await summary(p)).milestones[0]).toMatchObject({ state: 'paid', paidOut: 36000 });
});

test('the provider refunds part of the escrow, then part of what was released and not yet requested', async () => {
  const p = await project([100000]);
  const id = p.milestones[0].id;
  await sys.fund(p.id, id);
  expectProblem(await (await client()).post(`${ms(p, id)}/refunds`).send({ amount: 1000, reason: 'x' }), 403);
  expectProblem(await (await provider()).post(`${ms(p, id)}/refunds`).send({ amount: 100001, reason: 'Trop' }), 422);
  const fromEscrow = await (await provider()).post(`${ms(p, id)}/refunds`).send({ amount: 10000, reason: 'Une page en moins' });
  expect(fromEscrow.status).toBe(200);
  expect(fromEscrow.body).toMatchObject({ state: 'funded', amount: 90000, inEscrow: 90000, refunded: 10000, dueNow: 0 });
  expect((await summary(p)).milestones[0]).toMatchObject({ amount: 90000, deposited: 100000, refunded: 10000, inEscrow: 90000, escrowFee: 2700 });

  await (await client()).post(`${ms(p, id)}/release`);
  const fromReleased = await (await provider()).post(`${ms(p, id)}/refunds`).send({ amount: 20000, reason: 'Geste commercial' });
  expect(fromReleased.body).toMatchObject({ state: 'released', amount: 70000, released: 70000, refunded: 30000, requestable: 70000 });
  expect((await summary(p)).milestones[0]).toMatchObject({ released: 70000, refunded: 30000, inEscrow: 0, commission: 7000, escrowFee: 2100 });
  const credits = (await (await provider()).get('/v1/me/fee-invoices')).body.items.filter((f: { milestoneId: string; kind: string }) => f.milestoneId === id && f.kind === 'credit_note');
  expect(credits).toEqual([expect.objectContaining({ fee: 'commission', amount: 2000 })]);
  const clientMail = await eventually(async () => {
    const feed = (await (await client()).get('/v1/me/notifications')).body.items;
    return feed.filter((n: { milestoneId?: string; kind: string }) => n.milestoneId === id && n.kind === 'provider_refunded').length === 2 ? true : undefined;
  });
  expect(clientMail).toBe(true);

  const paid = await requestPayment(p, id, 70000);
  await payOut(paid.body.paymentRequestId);
  expect((await summary(p)).milestones[0]).toMatchObject({ state: 'paid', paidOut: 63000, refunded: 30000 });
});

test('a milestone partly released and paid, whose rest the provider gives back, ends paid', async () => {
  const p = await project([30000]);
  const id = p.milestones[0].id;
  await sys.fund(p.id, id);
  await (await client()).post(`${ms(p, id)}/release`).send({ amount: 10000 });
  const paid = await requestPayment(p, id, 10000);
  await payOut(paid.body.paymentRequestId);
  expect((await (await client()).get(ms(p, id))).body.state).toBe('funded');
  const refunded = await (await provider()).post(`${ms(p, id)}/refunds`).send({ amount: 20000, reason: 'Fin anticipée' });
  expect(refunded.body).toMatchObject({ state: 'paid', amount: 10000, inEscrow: 0 });
  expect((await summary(p)).milestones[0]).toMatchObject({ state: 'paid', deposited: 30000, released: 10000, refunded: 20000, paidOut: 9000 });
});

test('a bonus: funded by a deposit, released at once, invoiced and paid out; its own line in the summary', async () => {
  const p = await project([20000]);
  expectProblem(await (await provider()).post(`/v1/projects/${p.id}/bonuses`).send({ amount: 5000, message: 'Merci' }), 403);
  expectProblem(await (await client()).post(`/v1/projects/${p.id}/bonuses`).send({ amount: -5, message: 'Merci' }), 400);
  const bonus = await (await client()).post(`/v1/projects/${p.id}/bonuses`).send({ amount: 5000, message: 'Merci pour la rapidité !' });
  expect(bonus.status).toBe(201);
  expect(bonus.body).toMatchObject({ kind: 'bonus', state: 'awaiting_deposit', amount: 5000, dueNow: 5000, escrowFeeDue: 0 });
  const bonusId = bonus.body.milestoneId;
  // the bonus is not a milestone one may amend
  expectProblem(await (await client()).post(`/v1/projects/${p.id}/amendments`).send({ changes: [{ milestoneId: bonusId, amount: 9000 }] }), 422);

  const deposit = await sys.webhook('deposit.succeeded', { milestoneId: bonusId, amount: 5000, currency: 'EUR', reference: `vir-${bonusId}` });
  expect(deposit.status).toBe(200);
  await eventually(async () => ((await (await client()).get(ms(p, bonusId))).body.state === 'released' ? true : undefined));
  await eventually(async () => {
    const feed = (await (await provider()).get('/v1/me/notifications')).body.items;
    return feed.some((n: { kind: string; body: string }) => n.kind === 'bonus_received' && n.body.includes('rapidité')) ? true : undefined;
  });
  const paid = await requestPayment(p, bonusId, 5000);
  expect(paid.status).toBe(201);
  await payOut(paid.body.paymentRequestId);

  const { milestones, totals } = await summary(p);
  expect(milestones.map((m) => [m.kind, m.amount])).toEqual([['milestone', 20000], ['bonus', 5000]]);
  expect(milestones[1]).toMatchObject({ state: 'paid', deposited: 5000, released: 5000, paidOut: 4500, commission: 500, escrowFee: 0 });
  expect(totals).toMatchObject({ amount: 25000, released: 5000, paidOut: 4500 });
});

test('with the sandbox, a bonus is taken at once', async () => {
  const sandbox = sys.appWith({ PAYMENT_PROVIDER: 'sandbox' });
  const p = await project([20000]);
  const token = await sys.token(CLIENT.id, 'client');
  const bonus = await request(sandbox).post(`/v1/projects/${p.id}/bonuses`).set('authorization', `Bearer ${token}`).send({ amount: 3000, message: 'Bravo' });
  expect(bonus.status).toBe(201);
  await eventually(async () => ((await (await client()).get(ms(p, bonus.body.milestoneId))).body.state === 'released' ? true : undefined));
  expect((await summary(p)).milestones[1]).toMatchObject({ kind: 'bonus', deposited: 3000, released: 3000, commission: 300 });
});
