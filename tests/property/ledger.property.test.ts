/**
 * Random sequences of user actions and payment-provider webhooks — duplicates and out-of-order events included — go
 * through the real API, workflows and database; after each sequence the ledger check must find nothing, and no
 * request may have answered 5xx.
 */
import fc from 'fast-check';
import { checkLedger } from '../../db/ledger-check';
import { CLIENT, PDF, PROVIDER, uniq } from '../helpers/fixtures';
import { projectBody, startApiSystem, type ApiSystem } from '../helpers/api-system';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 12);
let sys: ApiSystem;
let sequences = 0;
let requests = 0;

beforeAll(async () => {
  sys = await startApiSystem({ PAYMENT_PROVIDER: 'webhook', PAYOUT_DELAY: '0s', DISPUTE_RESPONSE_WINDOW: '1h' });
});
afterAll(async () => {
  const kinds = await sys?.db.query('SELECT kind, count(*)::int AS n FROM ledger_entries GROUP BY kind ORDER BY kind');
  console.log(`property test: ${sequences} sequences, ${requests} requests; ledger entries: ${kinds?.rows.map((r) => `${r.kind} ${r.n}`).join(', ')}`);
  await sys?.close();
});

type Who = 'client' | 'provider';
const who = fc.constantFrom<Who>('client', 'provider');
const slot = fc.nat(3);
// Weighted toward the steps that move a milestone forward, so that sequences reach releases, payouts and refunds.
const op = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deposit' as const), slot, amount: fc.integer({ min: 1, max: 90000 }), replay: fc.boolean() }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('fund' as const), slot }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('complete' as const), slot }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('release' as const), slot }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), slot, who }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dispute' as const), slot, who }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('propose' as const), slot, who, share: fc.integer({ min: 0, max: 100 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('accept' as const), slot, who }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('withdraw' as const), slot, who }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('invoice' as const), slot, exact: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('payout' as const), outcome: fc.constantFrom('paid', 'failed'), known: fc.boolean(), replay: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retry' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refund' as const), outcome: fc.constantFrom('paid', 'failed'), known: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('amend' as const), slot, amount: fc.integer({ min: 1000, max: 80000 }), add: fc.boolean() }) },
);

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

async function run(ops: Op[], amounts: number[]): Promise<void> {
  const actors = { client: await sys.as(CLIENT.id, 'client'), provider: await sys.as(PROVIDER.id, 'provider') };
  const created = await (await sys.as('platform-1', 'platform')).post('/v1/projects').send(
    projectBody({ commissionRate: 0.1, escrowFeeRate: 0.03, milestones: amounts.map((amount, i) => ({ title: `É${i}`, amount })) }),
  );
  expect(created.status).toBe(201);
  const projectId: string = created.body.id;
  const events: { type: string; data: Record<string, unknown>; id: string }[] = [];
  const statuses: number[] = [];
  const milestones = async () => (await actors.client.get(`/v1/projects/${projectId}`)).body.milestones as { id: string; amount: number }[];
  const path = async (i: number) => {
    const ms = await milestones();
    const m = ms[i % ms.length];
    return { m, p: `/v1/projects/${projectId}/milestones/${m.id}` };
  };
  const live = async (p: string) => (await actors.client.get(p)).body;
  const webhook = async (type: string, data: Record<string, unknown>, replay: boolean) => {
    const previous = replay ? events.filter((e) => e.type === type).at(-1) : undefined;
    const event = previous ?? { type, data, id: uniq('evt') };
    if (!previous) events.push(event);
    statuses.push((await sys.webhook(event.type, event.data, event.id)).status);
  };

  for (const o of ops) {
    switch (o.kind) {
      case 'deposit': {
        const { m } = await path(o.slot);
        await webhook('deposit.succeeded', { milestoneId: m.id, amount: o.amount, currency: 'EUR', reference: 'p' }, o.replay);
        break;
      }
      case 'fund': {
        const { m, p } = await path(o.slot);
        const due = (await live(p)).dueNow;
        if (due > 0) await webhook('deposit.succeeded', { milestoneId: m.id, amount: due, currency: 'EUR', reference: 'f' }, false);
        break;
      }
      case 'complete':
        statuses.push((await actors.provider.post(`${(await path(o.slot)).p}/complete`)).status);
        break;
      case 'release':
        statuses.push((await actors.client.post(`${(await path(o.slot)).p}/release`)).status);
        break;
      case 'cancel':
        statuses.push((await actors[o.who].post(`${(await path(o.slot)).p}/cancel`)).status);
        break;
      case 'dispute':
        statuses.push((await actors[o.who].post(`${(await path(o.slot)).p}/disputes`).send({ reason: 'r', statement: 's' })).status);
        break;
      case 'propose':
      case 'accept':
      case 'withdraw': {
        const status = await live((await path(o.slot)).p);
        if (!status.disputeId) break;
        const d = `/v1/disputes/${status.disputeId}`;
        if (o.kind === 'propose') {
          statuses.push((await actors[o.who].post(`${d}/proposals`).send({ providerAmount: Math.floor((status.inEscrow * o.share) / 100) })).status);
        } else if (o.kind === 'withdraw') {
          statuses.push((await actors[o.who].post(`${d}/withdraw`)).status);
        } else {
          const proposal = (await actors.client.get(d)).body.proposals?.at(-1);
          if (proposal) statuses.push((await actors[o.who].post(`${d}/proposals/${proposal.id}/accept`)).status);
        }
        break;
      }
      case 'invoice': {
        const { p } = await path(o.slot);
        const status = await live(p);
        const res = await actors.provider.post(`${p}/payment-requests`).attach('invoice', PDF, 'f.pdf').field('invoiceNumber', uniq('F')).field('amount', String(o.exact ? status.released || 1 : 7));
        statuses.push(res.status);
        break;
      }
      case 'payout': {
        const items = (await actors.provider.get('/v1/me/payment-requests')).body.items.filter((i: { projectId: string; payoutId: string | null }) => i.projectId === projectId && i.payoutId);
        const payoutId = o.known && items.length ? items[0].payoutId : uniq('po');
        await webhook(`payout.${o.outcome}`, { payoutId, ...(o.outcome === 'failed' ? { reason: 'iban' } : {}) }, o.replay);
        break;
      }
      case 'retry': {
        const items = (await actors.provider.get('/v1/me/payment-requests')).body.items.filter((i: { projectId: string; state: string }) => i.projectId === projectId && i.state === 'failed');
        if (items.length) statuses.push((await actors.provider.post(`/v1/payment-requests/${items[0].id}/retry`)).status);
        break;
      }
      case 'refund': {
        const { rows } = await sys.db.query(`SELECT r.id FROM refunds r WHERE r.project_id = $1 AND r.state = 'ordered' LIMIT 1`, [projectId]);
        const refundId = o.known && rows.length ? rows[0].id : uniq('rf');
        await webhook(`refund.${o.outcome}`, { refundId, ...(o.outcome === 'failed' ? { reason: 'compte clos' } : {}) }, false);
        break;
      }
      case 'amend': {
        const { m } = await path(o.slot);
        const changes = o.add ? [{ add: { title: 'Ajout', amount: o.amount } }] : [{ milestoneId: m.id, amount: o.amount }];
        const proposed = await actors.client.post(`/v1/projects/${projectId}/amendments`).send({ changes });
        statuses.push(proposed.status);
        if (proposed.status === 201) statuses.push((await actors.provider.post(`/v1/projects/${projectId}/amendments/${proposed.body.id}/accept`)).status);
        break;
      }
    }
  }
  requests += statuses.length;
  expect(statuses.filter((s) => s >= 500)).toEqual([]);
  expect(await checkLedger(sys.db)).toEqual([]);
  sequences += 1;
}

test(`ledger invariants hold after ${RUNS} random sequences of actions and webhooks`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 6, maxLength: 18 }), fc.array(fc.integer({ min: 1000, max: 90000 }), { minLength: 1, maxLength: 2 }), run),
    { numRuns: RUNS, endOnFailure: true },
  );
  expect(sequences).toBe(RUNS);
}, 600000);
