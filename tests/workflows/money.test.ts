import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { checkLedger } from '../../db/ledger-check';
import { milestoneFigures } from '../../db/ledger';
import { listUserFeeInvoices } from '../../db/fee-invoices';
import {
  amendUpdate,
  cancelUpdate,
  decideDisputeUpdate,
  depositReceivedSignal,
  milestoneWorkflowId,
  openDisputeUpdate,
  releaseUpdate,
  requestPaymentUpdate,
  statusQuery,
} from '../../workflows/milestone/contract';
import { acceptAmendmentUpdate, proposeAmendmentUpdate } from '../../workflows/project/contract';
import { milestoneRefundId, refundSettledSignal, refundStatusQuery, refundWorkflowId, retryRefundUpdate } from '../../workflows/refund/contract';
import { CLIENT, DEFAULT_FEES, PROVIDER, seedProject, storedInvoice, uniq } from '../helpers/fixtures';
import { client, DAY, disputeIdOf, drainRefunds, execute, executeEnding, finalState, fund, mediator, provider, refusal, settleAndTerminate, startProject, startScenario } from '../helpers/milestone-driver';
import { recordHistoryIfAsked } from '../helpers/record-history';
import { eventually } from '../helpers/temporal';
import { STAFF_EMAIL, timeSkippingSuite, type WorkflowHarness } from '../helpers/workflow-env';

const suite = timeSkippingSuite();
let env: TestWorkflowEnvironment;
let h: WorkflowHarness;
beforeAll(() => {
  ({ env, h } = suite);
});
afterEach(async () => {
  expect(await checkLedger(h.db)).toEqual([]);
});

const deposit = (amount: number, eventId = uniq('dep')) => ({ eventId, amount, currency: 'EUR', reference: 'r' });

test('fees: the client pays amount + 3 % into escrow, the provider is paid the amount − 10 %, both fees invoiced', async () => {
  const { worker, taskQueue } = await h.worker(env);
  await worker.runUntil(async () => {
    const s = await startScenario(env, h.db, taskQueue, 120000, {}, DEFAULT_FEES);
    expect((await s.handle.query(statusQuery)).dueNow).toBe(123600);
    await s.handle.signal(depositReceivedSignal, deposit(120000));
    expect(await s.handle.query(statusQuery)).toMatchObject({ state: 'awaiting_deposit', dueNow: 3600, inEscrow: 120000 });
    await s.handle.signal(depositReceivedSignal, deposit(3600));
    expect(await s.handle.query(statusQuery)).toMatchObject({ state: 'funded', escrowFeeHeld: 3600, dueNow: 0 });
    await execute(s.handle, releaseUpdate, { args: [{ actor: client }] });
    const invoiceId = await storedInvoice(h.db, s.input.milestoneId, 'F-FEE');
    const requested = await execute(s.handle, requestPaymentUpdate, { args: [{ actor: provider, paymentRequestId: uniq('pr'), invoiceId, invoiceNumber: 'F-FEE', amount: 120000 }] });
    expect(requested.paymentRequest).toMatchObject({ amount: 120000, payoutAmount: 108000 });
    expect(await s.handle.result()).toBe('paid');
    expect((await milestoneFigures(h.db, s.project.id)).get(s.input.milestoneId)).toEqual({
      deposited: 120000, released: 120000, refunded: 0, inEscrow: 0, paidOut: 108000, commission: 12000, escrowFee: 3600, payable: 0, refundsPending: 0,
    });
    const providerInvoices = (await listUserFeeInvoices(h.db, PROVIDER.id)).filter((f) => f.milestoneId === s.input.milestoneId);
    const clientInvoices = (await listUserFeeInvoices(h.db, CLIENT.id)).filter((f) => f.milestoneId === s.input.milestoneId);
    expect(providerInvoices).toEqual([expect.objectContaining({ kind: 'commission', amount: 12000, baseAmount: 120000, number: expect.stringMatching(/^PF-\d{4}-\d{6}$/) })]);
    expect(clientInvoices).toEqual([expect.objectContaining({ kind: 'escrow_fee', amount: 3600, baseAmount: 120000 })]);
  });
});

test('a split decision splits the fees too: the escrow fee is earned on the released part only, the rest refunded', async () => {
  const { worker, taskQueue } = await h.worker(env);
  await worker.runUntil(async () => {
    const s = await startScenario(env, h.db, taskQueue, 10001, {}, DEFAULT_FEES);
    const fee = 300; // 3 % of 100.01 € is 3.0003 €, rounded to 3.00 €
    await s.handle.signal(depositReceivedSignal, deposit(10001 + fee));
    await execute(s.handle, openDisputeUpdate, { args: [{ actor: provider, reason: 'x', statement: 'y' }] });
    await env.sleep(5 * DAY + 1000);
    await eventually(async () => ((await s.handle.query(statusQuery)).state === 'disputed' ? true : undefined));
    await eventually(async () => {
      try {
        await execute(s.handle, decideDisputeUpdate, { args: [{ actor: mediator, disputeId: await disputeIdOf(s), providerAmount: 3333, clientAmount: 6668, rationale: 'partagé' }] });
        return true;
      } catch {
        return undefined;
      }
    });
    const f = (await milestoneFigures(h.db, s.project.id)).get(s.input.milestoneId)!;
    expect(f).toMatchObject({ released: 3333, refunded: 6668, inEscrow: 0, commission: 333 });
    // earned + refunded fee = the fee paid, to the cent
    const { rows } = await h.db.query(
      `SELECT coalesce(-sum(amount) FILTER (WHERE account = 'fees_escrow'), 0) AS earned, coalesce(sum(amount) FILTER (WHERE account = 'escrow_fee_held'), 0) AS held_debits
       FROM ledger_lines WHERE milestone_id = $1`,
      [s.input.milestoneId],
    );
    expect(rows[0].earned).toBe(100); // fee on 33.33 € of 100.01 €: 300 − fee(66.68 €) = 300 − 200
    expect(f.escrowFee).toBe(100);
    await drainRefunds(env, [s.input.milestoneId]);
    await settleAndTerminate(s.handle);
  });
});

test('amendments: a decrease below the escrow refunds the difference and its fee; an increase waits for the extra deposit', async () => {
  const project = await seedProject(h.db, [100000, 50000], 'r0', uniq('Projet'), DEFAULT_FEES);
  const { worker, taskQueue } = await h.worker(env);
  await worker.runUntil(async () => {
    const { handle } = await startProject(env, project, taskQueue);
    const [m1, m2] = project.milestones.map((m) => env.client.workflow.getHandle(milestoneWorkflowId(m.id)));
    await m1.signal(depositReceivedSignal, deposit(103000));
    await m2.signal(depositReceivedSignal, deposit(51500));
    expect((await m1.query(statusQuery)).state).toBe('funded');

    const addedId = uniq('ms');
    const proposal = await execute(handle, proposeAmendmentUpdate, {
      args: [{ actor: client, amendmentId: uniq('amd'), changes: [{ milestoneId: project.milestones[0].id, amount: 80000 }, { milestoneId: project.milestones[1].id, amount: 60000 }, { add: { milestoneId: addedId, title: 'Maintenance', amount: 20000 } }] }],
    });
    expect(await refusal(handle, () => handle.executeUpdate(acceptAmendmentUpdate, { args: [{ actor: client, amendmentId: proposal.id }] }))).toBe('NotAllowed');
    expect(await refusal(handle, () => handle.executeUpdate(proposeAmendmentUpdate, { args: [{ actor: provider, amendmentId: uniq('amd'), changes: [{ remove: project.milestones[1].id }] }] }))).toBe('InvalidState');
    const accepted = await execute(handle, acceptAmendmentUpdate, { args: [{ actor: provider, amendmentId: proposal.id }] });
    expect(accepted.state).toBe('applied');

    expect(await m1.query(statusQuery)).toMatchObject({ state: 'funded', amount: 80000, inEscrow: 80000, escrowFeeHeld: 2400, refunded: 20000 });
    expect(await m2.query(statusQuery)).toMatchObject({ state: 'awaiting_deposit', amount: 60000, dueNow: 10300 });
    const added = env.client.workflow.getHandle(milestoneWorkflowId(addedId));
    expect(await added.query(statusQuery)).toMatchObject({ state: 'awaiting_deposit', amount: 20000, dueNow: 20600 });
    await m2.signal(depositReceivedSignal, deposit(10300));
    expect((await m2.query(statusQuery)).state).toBe('funded');

    const refund = env.client.workflow.getHandle(refundWorkflowId(milestoneRefundId(project.milestones[0].id, 1)));
    expect(await refund.result()).toMatchObject({ state: 'paid' });
    const f1 = (await milestoneFigures(h.db, project.id)).get(project.milestones[0].id)!;
    expect(f1).toMatchObject({ deposited: 100000, refunded: 20000, inEscrow: 80000, escrowFee: 2400, refundsPending: 0 });

    const removal = await execute(handle, proposeAmendmentUpdate, { args: [{ actor: provider, amendmentId: uniq('amd'), changes: [{ remove: addedId }] }] });
    await execute(handle, acceptAmendmentUpdate, { args: [{ actor: client, amendmentId: removal.id }] });
    expect(await added.result()).toBe('cancelled');
    for (const m of [m1, m2]) {
      await execute(m, cancelUpdate, { args: [{ actor: client }] });
      await executeEnding(m, cancelUpdate, { args: [{ actor: provider }] });
    }
    expect((await handle.result()).state).toBe('finished');
    await drainRefunds(env, [...project.milestones.map((m) => m.id), addedId]);
    await recordHistoryIfAsked(handle, 'project-amendments');
    await recordHistoryIfAsked(m1, 'milestone-amended-then-cancelled');
  });
});

test('an amendment refused by a milestone that moved on is reported, not half-hidden', async () => {
  const project = await seedProject(h.db, [1000], 'r0', uniq('Projet'));
  const { worker, taskQueue } = await h.worker(env);
  await worker.runUntil(async () => {
    const { handle } = await startProject(env, project, taskQueue);
    const m1 = env.client.workflow.getHandle(milestoneWorkflowId(project.milestones[0].id));
    await m1.signal(depositReceivedSignal, deposit(1000));
    const proposal = await execute(handle, proposeAmendmentUpdate, { args: [{ actor: provider, amendmentId: uniq('amd'), changes: [{ milestoneId: project.milestones[0].id, amount: 500 }] }] });
    await execute(m1, releaseUpdate, { args: [{ actor: client }] });
    const result = await execute(handle, acceptAmendmentUpdate, { args: [{ actor: client, amendmentId: proposal.id }] });
    expect(result).toMatchObject({ state: 'partially_applied', results: [{ applied: false, reason: expect.stringMatching(/released/) }] });
    expect(await execute(m1, amendUpdate, { args: [{ amendmentId: 'x', change: { kind: 'remove' } }] }).catch(() => 'refused')).toBe('refused');
    await settleAndTerminate(m1);
    await handle.terminate('test done');
  });
});

test('refunds through the webhook rail: refund.failed tells staff and waits for a retry; refund.paid confirms', async () => {
  const { worker, taskQueue } = await h.worker(env, h.webhookOrders);
  await worker.runUntil(async () => {
    const s = await startScenario(env, h.db, taskQueue, 40000);
    await fund(s, 25000);
    await execute(s.handle, cancelUpdate, { args: [{ actor: client }] });
    expect(await finalState(s.handle)).toBe('cancelled');
    const refundId = milestoneRefundId(s.input.milestoneId, 1);
    const refund = env.client.workflow.getHandle(refundWorkflowId(refundId));
    await eventually(async () => ((await refund.query(refundStatusQuery)).attempt === 1 ? true : undefined));
    expect((await milestoneFigures(h.db, s.project.id)).get(s.input.milestoneId)).toMatchObject({ refunded: 25000, refundsPending: 25000 });

    await refund.signal(refundSettledSignal, { eventId: 'rf-evt-1', outcome: 'failed', reason: 'compte clos' });
    await h.mail.waitFor((m) => m.to.includes(STAFF_EMAIL) && m.subject.includes(refundId));
    await eventually(async () => ((await refund.query(refundStatusQuery)).state === 'failed' ? true : undefined));
    await execute(refund, retryRefundUpdate);
    await eventually(async () => ((await refund.query(refundStatusQuery)).attempt === 2 ? true : undefined));
    await refund.signal(refundSettledSignal, { eventId: 'rf-evt-2', outcome: 'paid' });
    await eventually(async () => ((await refund.query(refundStatusQuery)).state === 'paid' ? true : undefined));
    expect(await refund.result()).toMatchObject({ state: 'paid', attempt: 2 });
    await recordHistoryIfAsked(refund, 'refund-failed-then-retried');
    expect((await milestoneFigures(h.db, s.project.id)).get(s.input.milestoneId)).toMatchObject({ refunded: 25000, refundsPending: 0 });
    expect((await s.timeline()).filter((t) => t.startsWith('refund'))).toEqual(['refund_ordered', 'refund_failed', 'refund_ordered', 'refund_confirmed']);
    const orders = h.orders.orders.filter((o) => o.data.refundId === refundId);
    expect(orders.map((o) => [o.type, o.idempotencyKey, o.data.amount])).toEqual([['refund.order', `${refundId}:1`, 25000], ['refund.order', `${refundId}:2`, 25000]]);
  });
});
