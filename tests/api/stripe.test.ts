import request from 'supertest';
import { checkLedger } from '../../db/ledger-check';
import { CLIENT, PDF, PROVIDER, uniq } from '../helpers/fixtures';
import { expectProblem, projectBody, startApiSystem, type ApiSystem } from '../helpers/api-system';
import { postStripeEvent, STRIPE_SECRETS, stripeObjects, stripeSettings } from '../helpers/stripe-events';
import { startStripeRecorder, type StripeRecorder } from '../helpers/stripe-recorder';
import { recordHistoryIfAsked } from '../helpers/record-history';
import { eventually } from '../helpers/temporal';

let sys: ApiSystem;
let stripe: StripeRecorder;
beforeAll(async () => {
  stripe = await startStripeRecorder(process.env.STRIPE_MOCK_URL!);
  sys = await startApiSystem({ ...stripeSettings(stripe.url), PAYOUT_DELAY: '0s' });
});
afterEach(async () => {
  expect(await checkLedger(sys.db)).toEqual([]);
});
afterAll(async () => {
  await sys?.close();
  await stripe?.close();
});

const client = () => sys.as(CLIENT.id, 'client');
const provider = () => sys.as(PROVIDER.id, 'provider');
const staff = () => sys.as('platform-1', 'platform');
const event = (type: string, object: Record<string, unknown>, opts?: Parameters<typeof postStripeEvent>[3]) => postStripeEvent(sys.app, type, object, opts);

interface Project {
  id: string;
  milestones: { id: string; amount: number }[];
}
async function project(amount = 100000): Promise<Project> {
  const { body } = await (await staff()).post('/v1/projects').send(projectBody({ milestones: [{ title: 'Maquettes', amount }], commissionRate: 0.1, escrowFeeRate: 0.03 }));
  return body as Project;
}
const msPath = (p: Project) => `/v1/projects/${p.id}/milestones/${p.milestones[0].id}`;
const milestone = async (p: Project) => (await (await staff()).get(msPath(p))).body as { state: string; dueNow: number; inEscrow: number; frozenBy?: string[] };
const until = (p: Project, state: string) => eventually(async () => ((await milestone(p)).state === state ? true : undefined), 15000, `milestone ${state}`);

/** The client pays the deposit intent; Stripe reports it. Returns the intent and its charge. */
async function fund(p: Project): Promise<{ pi: string; charge: string; amount: number }> {
  const intent = await (await client()).post(`${msPath(p)}/deposit-intent`);
  expect(intent.status).toBe(201);
  const { paymentIntentId: pi, amount } = intent.body as { paymentIntentId: string; amount: number };
  const charge = `ch_${pi.slice(3)}`;
  expect((await event('payment_intent.succeeded', stripeObjects.paymentIntent(pi, amount, { latest_charge: charge }))).status).toBe(200);
  await until(p, 'funded');
  return { pi, charge, amount };
}

/** The provider's account exists and Stripe says it can be paid. */
async function onboarded(): Promise<string> {
  const { body } = await (await provider()).post('/v1/me/payout-account');
  expect((await event('account.updated', stripeObjects.account(body.accountId, true), { account: body.accountId })).body.outcome).toBe('applied');
  return body.accountId as string;
}

async function deliverReleaseRequest(p: Project): Promise<string> {
  expect((await (await provider()).post(`${msPath(p)}/complete`)).status).toBe(200);
  expect((await (await client()).post(`${msPath(p)}/release`)).status).toBe(200);
  const made = await (await provider()).post(`${msPath(p)}/payment-requests`).field('invoiceNumber', uniq('F')).field('amount', String(p.milestones[0].amount)).attach('invoice', PDF, 'f.pdf');
  expect(made.status).toBe(201);
  return made.body.paymentRequestId as string;
}

const dashboardItem = async (id: string) =>
  ((await (await provider()).get('/v1/me/payment-requests')).body.items as { id: string; state: string; payoutId: string | null }[]).find((i) => i.id === id)!;
const payoutOf = (requestId: string) => eventually(async () => (await dashboardItem(requestId)).payoutId ?? undefined, 15000, 'payout ordered');
/** An incident's workflow has told everyone and booked its money. */
const incidentDone = (id: string) => sys.env.client.workflow.getHandle(`incident:${id}`).result();
const incidents = async (who: Promise<{ get(u: string): import('supertest').Test }>) =>
  (await (await who).get('/v1/me/incidents')).body.items as { id: string; kind: string; state: string; amount: number; explanation: string; milestoneId: string }[];

test('one milestone through Stripe: onboarding, deposit intent, transfer and payout at the run, payout.paid', async () => {
  expectProblem(await (await provider()).get('/v1/me/payout-account'), 404);
  const created = await (await provider()).post('/v1/me/payout-account');
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ accountId: expect.stringMatching(/^acct_/), onboardingUrl: expect.stringMatching(/^https:/), payoutsEnabled: false });
  const again = await (await provider()).post('/v1/me/payout-account');
  expect(again.status).toBe(200);
  expect(again.body.accountId).toBe(created.body.accountId);
  const accountCall = stripe.calls.find((c) => c.path === '/v1/accounts' && c.method === 'POST')!;
  expect(accountCall).toMatchObject({ idempotencyKey: `account:${PROVIDER.id}`, params: expect.objectContaining({ type: 'express', 'settings[payouts][schedule][interval]': 'manual' }) });
  expect(stripe.calls.filter((c) => c.path === '/v1/account_links')).toHaveLength(2);

  const p = await project();
  const first = await (await client()).post(`${msPath(p)}/deposit-intent`);
  expect(first.body).toMatchObject({ provider: 'stripe', paymentIntentId: expect.stringMatching(/^pi_/), clientSecret: expect.any(String), amount: 103000, currency: 'EUR' });
  expect((await (await client()).post(`${msPath(p)}/deposit-intent`)).body.paymentIntentId).toBe(first.body.paymentIntentId);
  const intentCall = stripe.calls.find((c) => c.path === '/v1/payment_intents' && c.params.transfer_group === p.milestones[0].id)!;
  expect(intentCall.params).toMatchObject({ amount: '103000', currency: 'eur', 'metadata[projectId]': p.id, 'metadata[milestoneId]': p.milestones[0].id });
  expectProblem(await (await provider()).post(`${msPath(p)}/deposit-intent`), 403);

  const pi = first.body.paymentIntentId as string;
  const charge = `ch_${pi.slice(3)}`;
  // Stripe's fee on the charge, as its balance transaction gives it (stripe-mock's fixture has none).
  stripe.answerOnce('GET', new RegExp(`^/v1/charges/${charge}$`), 200, { id: charge, object: 'charge', balance_transaction: { id: 'txn_1', object: 'balance_transaction', fee: 1570 } });
  const succeeded = await event('payment_intent.succeeded', stripeObjects.paymentIntent(pi, 103000, { latest_charge: charge, metadata: { milestoneId: p.milestones[0].id } }));
  expect(succeeded.body).toMatchObject({ received: true, outcome: 'applied' });
  await until(p, 'funded');
  expectProblem(await (await client()).post(`${msPath(p)}/deposit-intent`), 409);

  expect((await (await provider()).post(`${msPath(p)}/complete`)).status).toBe(200);
  expect((await (await client()).post(`${msPath(p)}/release`)).status).toBe(200);
  const notReady = await (await provider()).post(`${msPath(p)}/payment-requests`).field('invoiceNumber', uniq('F')).field('amount', '100000').attach('invoice', PDF, 'f.pdf');
  expect(expectProblem(notReady, 422).type).toMatch(/payout-account-not-ready$/);
  const dashboard = (await (await provider()).get('/v1/me/payment-requests')).body;
  expect(dashboard.items.filter((i: { milestoneId: string }) => i.milestoneId === p.milestones[0].id)).toEqual([]);
  expect(dashboard.payoutAccount).toEqual({ accountId: created.body.accountId, payoutsEnabled: false, action: expect.stringMatching(/ouvrez votre compte de paiement/) });
  const released = await sys.mail.waitFor((m) => m.to.includes(PROVIDER.email) && m.subject === 'Montant libéré : Maquettes');
  expect(released.text).toMatch(/ouvrez votre compte de paiement/);

  const accountId = await onboarded();
  expect((await (await provider()).get('/v1/me/payout-account')).body).toMatchObject({ accountId, payoutsEnabled: true });
  expect((await (await provider()).get('/v1/me/payment-requests')).body.payoutAccount).toEqual({ accountId, payoutsEnabled: true, action: null });
  const made = await (await provider()).post(`${msPath(p)}/payment-requests`).field('invoiceNumber', uniq('F')).field('amount', '100000').attach('invoice', PDF, 'f.pdf');
  expect(made.status).toBe(201);
  const requestId = made.body.paymentRequestId as string;
  const payoutId = await payoutOf(requestId);
  expect(payoutId).toMatch(/^po_/);
  const transfer = stripe.calls.find((c) => c.path === '/v1/transfers' && c.params['metadata[paymentRequestId]'] === requestId)!;
  expect(transfer).toMatchObject({ idempotencyKey: `payout:${requestId}:transfer`, params: expect.objectContaining({ amount: '90000', destination: accountId, source_transaction: charge, transfer_group: p.milestones[0].id }) });
  const payout = stripe.calls.find((c) => c.path === '/v1/payouts' && c.params['metadata[paymentRequestId]'] === requestId)!;
  expect(payout).toMatchObject({ idempotencyKey: `payout:${requestId}:1:payout:1`, stripeAccount: accountId, params: expect.objectContaining({ amount: '90000' }) });

  expect((await event('payout.paid', stripeObjects.payout(payoutId, 'paid'), { account: accountId })).body.outcome).toBe('applied');
  await until(p, 'paid');
  const summary = (await (await client()).get(`/v1/projects/${p.id}/payments`)).body;
  expect(summary.milestones[0]).toMatchObject({ deposited: 100000, released: 100000, paidOut: 90000, inEscrow: 0 });
  const fee = await sys.db.query(`SELECT l.amount FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id WHERE e.kind = 'psp_fee' AND l.account = 'psp_fees' AND e.milestone_id = $1`, [p.milestones[0].id]);
  expect(fee.rows).toEqual([{ amount: 1570 }]);
});

test('a changed amount cancels the open intent and makes a new one', async () => {
  const p = await project(50000);
  const first = (await (await client()).post(`${msPath(p)}/deposit-intent`)).body;
  const amended = await (await client()).post(`/v1/projects/${p.id}/amendments`).send({ changes: [{ milestoneId: p.milestones[0].id, amount: 60000 }] });
  expect((await (await provider()).post(`/v1/projects/${p.id}/amendments/${amended.body.id}/accept`)).status).toBe(200);
  const second = (await (await client()).post(`${msPath(p)}/deposit-intent`)).body;
  expect(second).toMatchObject({ amount: 61800 });
  expect(second.paymentIntentId).not.toBe(first.paymentIntentId);
  expect(stripe.calls.some((c) => c.path === `/v1/payment_intents/${first.paymentIntentId}/cancel`)).toBe(true);
});

test('webhooks: Stripe-Signature checked per endpoint secret, events applied once, unknown types acknowledged', async () => {
  const p = await project();
  const pi = (await (await client()).post(`${msPath(p)}/deposit-intent`)).body.paymentIntentId;
  const object = stripeObjects.paymentIntent(pi, 103000);
  expectProblem(await event('payment_intent.succeeded', object, { secret: 'whsec_wrong' }), 401);
  // A Connect event signed with the platform endpoint's secret is not from the Connect endpoint.
  expectProblem(await event('payout.paid', stripeObjects.payout('po_x', 'paid'), { account: 'acct_x', secret: STRIPE_SECRETS.account }), 401);
  const id = `evt_${uniq('once')}`;
  expect((await event('payment_intent.succeeded', object, { id })).body.outcome).toBe('applied');
  expect((await event('payment_intent.succeeded', object, { id })).body.outcome).toBe('duplicate');
  expect((await event('customer.created', { id: 'cus_1', object: 'customer' })).body.outcome).toMatch(/^ignored/);
  await until(p, 'funded');
  const webhook = await sys.webhook('deposit.succeeded', { milestoneId: p.milestones[0].id, amount: 1, currency: 'EUR', reference: 'x' });
  expectProblem(webhook, 404);
  const paths = Object.keys((await request(sys.app).get('/openapi.json')).body.paths as Record<string, unknown>);
  expect(paths).toContain('/v1/webhooks/stripe');
  expect(paths).not.toContain('/v1/webhooks/payments');
});

test('a failed deposit is an incident told to the client, resolved once a payment succeeds', async () => {
  const p = await project();
  const pi = (await (await client()).post(`${msPath(p)}/deposit-intent`)).body.paymentIntentId;
  const failed = await event('payment_intent.payment_failed', stripeObjects.paymentIntent(pi, 103000, { status: 'requires_payment_method', amount_received: 0, last_payment_error: { code: 'card_declined', message: 'Your card was declined.' } }));
  expect(failed.body.outcome).toBe('applied');
  const opened = (await incidents(client())).find((i) => i.milestoneId === p.milestones[0].id)!;
  expect(opened).toMatchObject({ kind: 'deposit_failed', state: 'open', amount: 103000, explanation: expect.stringMatching(/a échoué \(Your card was declined\.\)/) });
  await sys.mail.waitFor((m) => m.to.includes(CLIENT.email) && m.subject === 'Incident de paiement : Maquettes' && m.text.includes('Your card was declined'));
  expect((await event('payment_intent.succeeded', stripeObjects.paymentIntent(pi, 103000))).body.outcome).toBe('applied');
  await until(p, 'funded');
  await eventually(async () => ((await incidents(client())).find((i) => i.id === opened.id)?.state === 'resolved' ? true : undefined), 15000, 'resolved');
  expect(await incidentDone(opened.id)).toBe('resolved');
  await eventually(async () => {
    const types = (await (await client()).get(`${msPath(p)}/timeline`)).body.events.map((e: { type: string }) => e.type) as string[];
    return ['incident_opened', 'incident_closed', 'deposit_received', 'funded'].every((t) => types.includes(t)) ? true : undefined;
  }, 15000, 'the incident and the deposit on the timeline');
});

test('a chargeback while funded freezes the milestone; won, the money comes back and the milestone goes on', async () => {
  const p = await project();
  const { pi, charge } = await fund(p);
  const dispute = (status: string, bts: { amount: number; fee: number }[] = []) => stripeObjects.dispute(`dp_${pi.slice(3)}`, { amount: 103000, charge, status, balanceTransactions: bts });
  expect((await event('charge.dispute.created', dispute('needs_response'))).body.outcome).toBe('applied');
  await eventually(async () => ((await milestone(p)).frozenBy?.length ? true : undefined), 15000, 'frozen');
  const frozen = expectProblem(await (await client()).post(`${msPath(p)}/release`), 409);
  expect(frozen.type).toMatch(/payment-incident$/);
  expectProblem(await (await provider()).post(`${msPath(p)}/complete`), 409);
  expectProblem(await (await client()).post(`${msPath(p)}/disputes`).send({ reason: 'quality', statement: 'pas conforme' }), 409);
  const open = (await incidents(provider())).find((i) => i.milestoneId === p.milestones[0].id)!;
  expect(open).toMatchObject({ kind: 'chargeback', state: 'open', amount: 103000 });
  expect((await (await staff()).get('/v1/incidents?state=open')).body.items.map((i: { id: string }) => i.id)).toContain(open.id);

  await event('charge.dispute.funds_withdrawn', dispute('under_review', [{ amount: -103000, fee: 1500 }]));
  await event('charge.dispute.funds_reinstated', dispute('won', [{ amount: -103000, fee: 1500 }, { amount: 103000, fee: 0 }]));
  expect((await event('charge.dispute.closed', dispute('won'))).body.outcome).toBe('applied');
  expect((await incidents(client())).find((i) => i.id === open.id)).toMatchObject({ state: 'won' });
  expect(await incidentDone(open.id)).toBe('won');
  await eventually(async () => ((await milestone(p)).frozenBy === undefined ? true : undefined), 15000, 'unfrozen');
  expect((await (await client()).post(`${msPath(p)}/release`)).status).toBe(200);
  for (const to of [CLIENT.email, PROVIDER.email]) {
    await sys.mail.waitFor((m) => m.to.includes(to) && m.subject === 'Incident de paiement clos : Maquettes');
  }
  await sys.mail.waitFor((m) => m.subject.includes('[finance]') && m.subject.includes(`dp_${pi.slice(3)}`));
  // The dispute fee Stripe kept is the platform's expense; the disputed amount came back.
  await eventually(async () => {
    const { rows } = await sys.db.query(`SELECT e.kind FROM ledger_entries e WHERE e.milestone_id = $1 AND e.kind LIKE 'chargeback_%' ORDER BY e.id`, [p.milestones[0].id]);
    return rows.length === 2 ? rows.map((r) => r.kind) : undefined;
  }, 15000, 'chargeback movements');
});

test('chargeback events in any order: money before the creation freezes, the outcome waits for the money, a late creation freezes nothing', async () => {
  const p = await project();
  const { pi, charge } = await fund(p);
  const withdrawn = { amount: -103000, fee: 1500 };
  const dispute = (status: string, bts: { amount: number; fee: number }[] = []) => stripeObjects.dispute(`dp_${pi.slice(3)}`, { amount: 103000, charge, status, balanceTransactions: bts });
  expect((await event('charge.dispute.funds_withdrawn', dispute('needs_response', [withdrawn]))).body.outcome).toBe('applied');
  await eventually(async () => ((await milestone(p)).frozenBy?.length ? true : undefined), 15000, 'frozen');
  expectProblem(await (await client()).post(`${msPath(p)}/release`), 409);
  expect((await event('charge.dispute.closed', dispute('won', [withdrawn]))).body.outcome).toBe('applied');
  const won = (await incidents(client())).find((i) => i.milestoneId === p.milestones[0].id)!;
  expect(won).toMatchObject({ kind: 'chargeback', state: 'won' });
  // The money came back after the outcome: the incident waits for it, then books it.
  const incidentRun = sys.env.client.workflow.getHandle(`incident:${won.id}`);
  await eventually(async () => ((await incidentRun.describe()).status.name === 'RUNNING' ? true : undefined), 15000, 'waiting for the reinstatement');
  expect((await event('charge.dispute.funds_reinstated', dispute('won', [withdrawn, { amount: 103000, fee: 0 }]))).body.outcome).toBe('applied');
  expect(await incidentDone(won.id)).toBe('won');
  expect((await event('charge.dispute.created', dispute('won'))).body.outcome).toBe('applied');
  expect((await (await client()).post(`${msPath(p)}/release`)).status).toBe(200);
});

test('a chargeback lost while funded takes the money out of escrow: the milestone must be funded again', async () => {
  const p = await project();
  const { pi, charge } = await fund(p);
  const dispute = (status: string, bts: { amount: number; fee: number }[] = []) => stripeObjects.dispute(`dp_${pi.slice(3)}`, { amount: 103000, charge, paymentIntent: pi, status, balanceTransactions: bts });
  await event('charge.dispute.created', dispute('needs_response'));
  await event('charge.dispute.funds_withdrawn', dispute('under_review', [{ amount: -103000, fee: 1500 }]));
  await event('charge.dispute.closed', dispute('lost', [{ amount: -103000, fee: 1500 }]));
  await until(p, 'awaiting_deposit');
  expect(await milestone(p)).toMatchObject({ dueNow: 103000, inEscrow: 0 });
  const lost = (await incidents(client())).find((i) => i.milestoneId === p.milestones[0].id)!;
  expect(lost).toMatchObject({ kind: 'chargeback', state: 'lost', explanation: expect.stringMatching(/financer l'échéance à nouveau/) });
  expect(await incidentDone(lost.id)).toBe('lost');
  const summary = (await (await client()).get(`/v1/projects/${p.id}/payments`)).body.milestones[0];
  expect(summary).toMatchObject({ deposited: 0, inEscrow: 0, released: 0, refunded: 0 });
  await fund(p);
  await recordHistoryIfAsked(sys.env.client.workflow.getHandle(`milestone:${p.milestones[0].id}`), 'milestone-chargeback-lost-funded-again');
  await recordHistoryIfAsked(sys.env.client.workflow.getHandle(`incident:${lost.id}`), 'incident-chargeback-lost');
});

test('a chargeback lost after the payout is the platform\'s loss', async () => {
  const accountId = await onboarded();
  const p = await project();
  const { pi, charge } = await fund(p);
  const requestId = await deliverReleaseRequest(p);
  await event('payout.paid', stripeObjects.payout(await payoutOf(requestId), 'paid'), { account: accountId });
  await until(p, 'paid');
  const dispute = (status: string, bts: { amount: number; fee: number }[] = []) => stripeObjects.dispute(`dp_${pi.slice(3)}`, { amount: 103000, charge, status, balanceTransactions: bts });
  expect((await event('charge.dispute.created', dispute('needs_response'))).body.outcome).toBe('applied: the milestone had ended');
  await event('charge.dispute.funds_withdrawn', dispute('under_review', [{ amount: -103000, fee: 1500 }]));
  await event('charge.dispute.closed', dispute('lost'));
  const lost = (await incidents(provider())).find((i) => i.milestoneId === p.milestones[0].id)!;
  expect(lost).toMatchObject({ state: 'lost', explanation: expect.stringMatching(/la plateforme prend la perte à sa charge/) });
  expect(await incidentDone(lost.id)).toBe('lost');
  await eventually(async () => {
    const { rows } = await sys.db.query(`SELECT l.amount FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id WHERE e.milestone_id = $1 AND l.account = 'chargeback_losses'`, [p.milestones[0].id]);
    return rows.length === 1 ? rows[0].amount : undefined;
  }, 15000, 'the loss booked');
});

test('a failed payout is an incident until the retried payout is paid', async () => {
  const accountId = await onboarded();
  const p = await project();
  await fund(p);
  const requestId = await deliverReleaseRequest(p);
  const first = await payoutOf(requestId);
  await event('payout.failed', stripeObjects.payout(first, 'failed', { failure_code: 'account_closed', failure_message: 'The bank account has been closed.' }), { account: accountId });
  await eventually(async () => ((await dashboardItem(requestId)).state === 'failed' ? true : undefined), 15000, 'failed on the dashboard');
  const opened = (await incidents(provider())).find((i) => i.milestoneId === p.milestones[0].id)!;
  expect(opened).toMatchObject({ kind: 'payout_failed', state: 'open', amount: 90000, explanation: expect.stringMatching(/The bank account has been closed/) });
  expect((await (await provider()).post(`/v1/payment-requests/${requestId}/retry`)).status).toBe(200);
  const second = await eventually(async () => {
    const id = (await dashboardItem(requestId)).payoutId;
    return id && id !== first ? id : undefined;
  }, 15000, 'a second payout');
  // The money is back on the provider's account after a failed payout: one Transfer for the request, a new payout.
  expect(stripe.calls.filter((c) => c.path === '/v1/transfers' && c.params['metadata[paymentRequestId]'] === requestId).map((c) => c.idempotencyKey)).toEqual([`payout:${requestId}:transfer`]);
  expect(stripe.calls.filter((c) => c.path === '/v1/payouts' && c.params['metadata[paymentRequestId]'] === requestId).map((c) => c.idempotencyKey)).toEqual([
    `payout:${requestId}:1:payout:1`,
    `payout:${requestId}:2:payout:1`,
  ]);
  await event('payout.paid', stripeObjects.payout(second, 'paid'), { account: accountId });
  await until(p, 'paid');
  expect((await incidents(provider())).find((i) => i.id === opened.id)).toMatchObject({ state: 'resolved' });
});

test('a failed refund is an incident for finance staff until the retried refund succeeds', async () => {
  const p = await project();
  const { pi } = await fund(p);
  expect((await (await client()).post(`${msPath(p)}/cancel`)).status).toBe(202);
  expect((await (await provider()).post(`${msPath(p)}/cancel`)).status).toBe(200);
  const refundId = `rf_${p.milestones[0].id}_1`;
  const firstCall = await eventually(() => Promise.resolve(stripe.calls.find((c) => c.path === '/v1/refunds' && c.idempotencyKey === `${refundId}:1`)), 15000, 'refund ordered');
  expect(firstCall.params).toMatchObject({ payment_intent: pi, amount: '103000', 'metadata[refundId]': refundId });
  const reFirst = firstCall.response.id as string;
  await eventually(async () => ((await sys.db.query('SELECT 1 FROM provider_refunds WHERE provider_refund_id = $1', [reFirst])).rowCount === 1 ? true : undefined), 15000, 'refund id kept');
  // A late event about another order of this refund changes nothing.
  expect((await event('refund.updated', stripeObjects.refund('re_other', 'failed', { metadata: { order: `${refundId}:7` } }))).body.outcome).toBe('applied');
  expect((await event('refund.updated', stripeObjects.refund(reFirst, 'failed', { failure_reason: 'expired_or_canceled_card' }))).body.outcome).toBe('applied');
  const opened = await eventually(async () => (await incidents(client())).find((i) => i.milestoneId === p.milestones[0].id && i.kind === 'refund_failed'), 15000, 'incident');
  expect(opened).toMatchObject({ state: 'open', amount: 103000, explanation: expect.stringMatching(/expired_or_canceled_card/) });
  await sys.mail.waitFor((m) => m.subject.includes(`Remboursement ${refundId} en échec`));
  expect((await (await staff()).post(`/v1/refunds/${refundId}/retry`)).status).toBe(200);
  const secondCall = await eventually(() => Promise.resolve(stripe.calls.find((c) => c.path === '/v1/refunds' && c.idempotencyKey === `${refundId}:2`)), 15000, 'refund ordered again');
  await eventually(async () => ((await sys.db.query('SELECT 1 FROM provider_refunds WHERE provider_refund_id = $1', [secondCall.response.id])).rowCount === 1 ? true : undefined), 15000, 'second refund id kept');
  // Stripe's refund.created, already succeeded, may come before the id of the Refund is written down: its metadata
  // name the order.
  const created = stripeObjects.refund('re_not_yet_kept', 'succeeded', { metadata: { refundId, order: `${refundId}:2` } });
  expect((await event('refund.created', created)).body.outcome).toBe('applied');
  await eventually(async () => ((await incidents(client())).find((i) => i.id === opened.id)?.state === 'resolved' ? true : undefined), 15000, 'resolved');
});
