import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { Mailer } from '../../activities/mail/mailer';
import { paymentActivities } from '../../activities/payments';
import { readModelActivities } from '../../activities/read-models';
import { milestoneFigures, postMovement } from '../../db/ledger';
import { listMilestoneEvents } from '../../db/milestone-events';
import { insertScheduledRequest, listProviderRequests } from '../../db/payment-requests';
import type { Db } from '../../db/pool';
import { findMilestone } from '../../db/projects';
import { sandboxProvider } from '../../lib/payment-providers/sandbox';
import { PROVIDER, seedProject, storedInvoice, uniq } from '../helpers/fixtures';
import { workflowHarness, type WorkflowHarness } from '../helpers/workflow-env';

let h: WorkflowHarness;
let db: Db;
let mailer: Mailer;

beforeAll(async () => {
  h = await workflowHarness();
  ({ db, mailer } = h);
});
afterAll(() => h.close());

test('recordEvent appends once per key and moves the read model state', async () => {
  const project = await seedProject(db, [1000]);
  // No incident is open on this milestone: Temporal is never called.
  const acts = readModelActivities({ db, temporal: undefined as never });
  const milestoneId = project.milestones[0].id;
  const event = { milestoneId, key: `${milestoneId}:event:1`, type: 'funded', state: 'funded', data: { escrowed: 1000 } };
  const logged: { message: string; meta?: Record<string, unknown> }[] = [];
  const logger = new DefaultLogger('INFO', ({ message, meta }) => void logged.push({ message, meta }));
  const env = new MockActivityEnvironment({}, { logger });
  await env.run(() => acts.recordEvent(event));
  await env.run(() => acts.recordEvent(event));
  expect(await listMilestoneEvents(db, milestoneId)).toHaveLength(1);
  expect(logged.filter((l) => l.message.startsWith('business event'))).toEqual([
    { message: 'business event funded', meta: expect.objectContaining({ event: 'funded', milestoneId, key: event.key, escrowed: 1000 }) },
  ]);
  expect((await findMilestone(db, milestoneId))?.state).toBe('funded');
});

test.each([
  ['sandbox', () => sandboxProvider(), 'paid'],
  ['webhook', () => h.webhookOrders, 'pending'],
] as const)('orderPayout through the %s rail is idempotent and moves payable to in transit', async (_name, provider, status) => {
  const project = await seedProject(db, [7000]);
  const milestoneId = project.milestones[0].id;
  const acts = paymentActivities({ db, mailer, payments: provider(), staffEmail: 'finance@escrow.test' });
  await postMovement(db, { idempotencyKey: `${milestoneId}:d`, projectId: project.id, milestoneId, currency: 'EUR', movement: { type: 'deposit', toEscrow: 7000, toFee: 0, excess: 0 } });
  await postMovement(db, { idempotencyKey: `${milestoneId}:r`, projectId: project.id, milestoneId, currency: 'EUR', movement: { type: 'release', amount: 7000, commission: 700, escrowFee: 0 } });
  const requestId = uniq('pr');
  await insertScheduledRequest(db, {
    id: requestId, projectId: project.id, milestoneId, providerId: PROVIDER.id, invoiceId: await storedInvoice(db, milestoneId, uniq('F')),
    invoiceNumber: uniq('F'), amount: 7000, payoutAmount: 6300, currency: 'EUR', scheduledFor: new Date().toISOString(),
  });
  const order = { paymentRequestId: requestId, attempt: 1, projectId: project.id, milestoneId, providerId: PROVIDER.id, amount: 6300, currency: 'EUR' };
  const first = await acts.orderPayout(order);
  const again = await acts.orderPayout(order);
  expect(again).toEqual(first);
  expect(first.status).toBe(status);
  const { rows } = await db.query(
    `SELECT account, sum(amount)::bigint AS balance FROM ledger_lines WHERE milestone_id = $1 GROUP BY account ORDER BY account`,
    [milestoneId],
  );
  expect(Object.fromEntries(rows.map((r) => [r.account, r.balance]))).toEqual({
    escrow: 0,
    fees_commission: -700,
    payouts_in_transit: -6300,
    provider_payable: 0,
    psp_cash: 7000,
  });
  await acts.settlePayout({ ...order, payoutId: first.id, outcome: 'paid' });
  await acts.settlePayout({ ...order, payoutId: first.id, outcome: 'paid' });
  expect((await milestoneFigures(db, project.id)).get(milestoneId)).toMatchObject({ paidOut: 6300, commission: 700, payable: 0 });
  const [request] = (await listProviderRequests(db, PROVIDER.id)).filter((r) => r.id === requestId);
  expect(request).toMatchObject({ state: 'paid', payoutId: first.id, payoutAmount: 6300, attempts: 1 });
  expect(request.paidAt).not.toBeNull();
});
