import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { checkLedger } from '../../db/ledger-check';
import { milestoneFigures, postMovement } from '../../db/ledger';
import { listUserFeeInvoices } from '../../db/fee-invoices';
import { FailureType } from '../../domain/failures';
import {
  chargebackSignal,
  completeUpdate,
  refundByProviderUpdate,
  releaseUpdate,
  requestChangesUpdate,
  requestPaymentUpdate,
  statusQuery,
  type MilestoneStatus,
} from '../../workflows/milestone/contract';
import { CLIENT, DEFAULT_FEES, PROVIDER, storedInvoice, uniq } from '../helpers/fixtures';
import { client, count, DAY, drainRefunds, execute, fund, fundAndDeliver, provider, refusal, settleAndTerminate, startScenario, type Scenario } from '../helpers/milestone-driver';
import { recordHistoryIfAsked } from '../helpers/record-history';
import { eventually } from '../helpers/temporal';
import { timeSkippingSuite, type WorkflowHarness } from '../helpers/workflow-env';

const suite = timeSkippingSuite();
let env: TestWorkflowEnvironment;
let h: WorkflowHarness;
beforeAll(() => {
  ({ env, h } = suite);
});
afterEach(async () => {
  expect(await checkLedger(h.db)).toEqual([]);
});

async function requestPayment(s: Scenario, amount: number): Promise<MilestoneStatus> {
  const number = uniq('F');
  const invoiceId = await storedInvoice(h.db, s.input.milestoneId, number);
  return execute(s.handle, requestPaymentUpdate, { args: [{ actor: provider, paymentRequestId: uniq('pr'), invoiceId, invoiceNumber: number, amount }] });
}

const figures = async (s: Scenario) => (await milestoneFigures(h.db, s.project.id)).get(s.input.milestoneId)!;

test('two partial releases, two payment requests, two payouts: fees follow each part and the milestone is paid at the end', async () => {
  const { worker, taskQueue } = await h.worker(env);
  await worker.runUntil(async () => {
    const s = await startScenario(env, h.db, taskQueue, 100000, {}, DEFAULT_FEES);
    await fund(s, 103000);
    const first = await execute(s.handle, releaseUpdate, { args: [{ actor: client, amount: 40000 }] });
    expect(first).toMatchObject({ state: 'funded', released: 40000, inEscrow: 60000, requestable: 40000, commission: 4000, escrowFeeHeld: 1800, dueNow: 0 });
    const requested = await requestPayment(s, 40000);
    expect(requested).toMatchObject({ state: 'funded', requestable: 0 });
    expect(requested.paymentRequests).toEqual([expect.objectContaining({ amount: 40000, payoutAmount: 36000 })]);
    expect(await refusal(s.handle, () => requestPayment(s, 40000))).toBe(FailureType.InvalidState);

    await execute(s.handle, completeUpdate, { args: [{ actor: provider }] });
    await env.sleep(3 * DAY); // the first payout's run passes while the rest waits in escrow
    await eventually(async () => ((await s.handle.query(statusQuery)).paymentRequests[0].paidAt ? true : undefined));
    expect((await s.handle.query(statusQuery)).state).toBe('delivered');
    expect(await refusal(s.handle, () => execute(s.handle, releaseUpdate, { args: [{ actor: client, amount: 60001 }] }))).toBe(FailureType.BusinessRule);

    const second = await execute(s.handle, releaseUpdate, { args: [{ actor: client }] });
    expect(second).toMatchObject({ state: 'released', released: 100000, inEscrow: 0, requestable: 60000, commission: 10000, escrowFeeHeld: 0 });
    expect(await refusal(s.handle, () => requestPayment(s, 100000))).toBe(FailureType.BusinessRule);
    expect(await requestPayment(s, 60000)).toMatchObject({ state: 'payment_requested' });
    expect(await s.handle.result()).toBe('paid');

    const status = await s.handle.query(statusQuery);
    expect(status.paymentRequests.map((r) => [r.amount, r.payoutAmount, Boolean(r.paidAt)])).toEqual([[40000, 36000, true], [60000, 54000, true]]);
    expect(await figures(s)).toMatchObject({ deposited: 100000, released: 100000, refunded: 0, inEscrow: 0, paidOut: 90000, commission: 10000, escrowFee: 3000 });
    const commissions = (await listUserFeeInvoices(h.db, PROVIDER.id)).filter((f) => f.milestoneId === s.input.milestoneId);
    expect(commissions.map((f) => `${f.kind} ${f.amount} on ${f.baseAmount}`).sort()).toEqual(['commission 4000 on 40000', 'commission 6000 on 60000']);
    expect((await s.timeline()).filter((t) => ['partially_released', 'released', 'payment_requested', 'paid'].includes(t))).toEqual([
      'partially_released', 'payment_requested', 'paid', 'released', 'payment_requested', 'paid',
    ]);
    await recordHistoryIfAsked(s.handle, 'milestone-partial-releases');
  });
});

test('a request for changes sends the milestone back to funded and stops the reminders; past N rounds, mediation is suggested', async () => {
  const { worker, taskQueue } = await h.worker(env);
  await worker.runUntil(async () => {
    const s = await startScenario(env, h.db, taskQueue, 50000, { changeRoundsBeforeMediation: 1 });
    await fundAndDeliver(s);
    expect(await refusal(s.handle, () => execute(s.handle, requestChangesUpdate, { args: [{ actor: provider, message: 'x' }] }))).toBe(FailureType.NotAllowed);
    const changed = await execute(s.handle, requestChangesUpdate, { args: [{ actor: client, message: 'Le logo est trop petit.' }] });
    expect(changed).toMatchObject({ state: 'funded', changeRounds: 1 });
    expect(await refusal(s.handle, () => execute(s.handle, requestChangesUpdate, { args: [{ actor: client, message: 'encore' }] }))).toBe(FailureType.InvalidState);
    await env.sleep(20 * DAY); // the release schedule would have run out: no reminder about a delivery taken back
    const { rows } = await h.db.query("SELECT body FROM notifications WHERE milestone_id = $1 AND kind = 'changes_requested'", [s.input.milestoneId]);
    expect(rows).toEqual([{ body: expect.stringContaining('Le logo est trop petit.') }]);

    await execute(s.handle, completeUpdate, { args: [{ actor: provider }] });
    expect(await execute(s.handle, requestChangesUpdate, { args: [{ actor: client, message: 'Et la couleur.' }] })).toMatchObject({ changeRounds: 2, state: 'funded' });
    await execute(s.handle, completeUpdate, { args: [{ actor: provider }] });
    expect(await execute(s.handle, releaseUpdate, { args: [{ actor: client }] })).toMatchObject({ state: 'released', released: 50000 });
    await eventually(async () => (count(await s.notices(), 'mediation_suggested') === 2 ? true : undefined));
    const notices = await s.notices();
    expect(count(notices, 'release_reminder')).toBe(0);
    expect(notices.filter((n) => n.kind === 'mediation_suggested').map((n) => n.userId).sort()).toEqual([CLIENT.id, PROVIDER.id].sort());
    expect((await s.timeline()).filter((t) => t === 'changes_requested' || t === 'mediation_suggested')).toEqual(['changes_requested', 'changes_requested', 'mediation_suggested']);
    await settleAndTerminate(s.handle);
  });
});

test('a provider refund from escrow, then one from released money not yet requested: fees go back with each', async () => {
  const { worker, taskQueue } = await h.worker(env);
  await worker.runUntil(async () => {
    const s = await startScenario(env, h.db, taskQueue, 100000, {}, DEFAULT_FEES);
    await fund(s, 103000);
    expect(await refusal(s.handle, () => execute(s.handle, refundByProviderUpdate, { args: [{ actor: client, amount: 100, reason: 'x' }] }))).toBe(FailureType.NotAllowed);
    const fromEscrow = await execute(s.handle, refundByProviderUpdate, { args: [{ actor: provider, amount: 20000, reason: 'Une page en moins.' }] });
    expect(fromEscrow).toMatchObject({ state: 'funded', amount: 80000, inEscrow: 80000, refunded: 20000, escrowFeeHeld: 2400, dueNow: 0 });
    expect(await figures(s)).toMatchObject({ deposited: 100000, refunded: 20000, inEscrow: 80000, escrowFee: 2400 });

    await execute(s.handle, releaseUpdate, { args: [{ actor: client }] });
    expect(await refusal(s.handle, () => execute(s.handle, refundByProviderUpdate, { args: [{ actor: provider, amount: 80001, reason: 'x' }] }))).toBe(FailureType.BusinessRule);
    const fromReleased = await execute(s.handle, refundByProviderUpdate, { args: [{ actor: provider, amount: 30000, reason: 'Geste commercial.' }] });
    expect(fromReleased).toMatchObject({ state: 'released', amount: 50000, released: 50000, refunded: 50000, requestable: 50000, commission: 5000 });
    expect(await figures(s)).toMatchObject({ deposited: 100000, released: 50000, refunded: 50000, inEscrow: 0, commission: 5000, escrowFee: 1500, payable: 45000 });

    // credit notes: the commission on the part given back, and the escrow fee on each part
    const documents = async (userId: string) =>
      (await listUserFeeInvoices(h.db, userId)).filter((f) => f.milestoneId === s.input.milestoneId).map((f) => `${f.kind} ${f.document} ${f.amount}`).sort();
    expect(await documents(PROVIDER.id)).toEqual(['commission credit_note 3000', 'commission invoice 8000']);
    expect(await documents(CLIENT.id)).toEqual(['escrow_fee credit_note 600', 'escrow_fee credit_note 900', 'escrow_fee invoice 3000']);

    expect(await refusal(s.handle, () => requestPayment(s, 80000))).toBe(FailureType.BusinessRule);
    await drainRefunds(env, [s.input.milestoneId]);
    expect(await figures(s)).toMatchObject({ refunded: 50000, refundsPending: 0 });
    // the payout of what is left is tested through the API (tests/api/everyday-moves.test.ts)
    await settleAndTerminate(s.handle);
  });
});

test('released money a lost chargeback took back cannot also be given back by the provider', async () => {
  const { worker, taskQueue } = await h.worker(env);
  await worker.runUntil(async () => {
    const s = await startScenario(env, h.db, taskQueue, 20000);
    await fund(s);
    await execute(s.handle, releaseUpdate, { args: [{ actor: client }] });
    const chargeback = { incidentId: uniq('inc'), chargebackId: uniq('du'), amount: 20000 };
    // what the incident's workflow books when the payment provider takes the money, before the milestone is told
    const scope = { projectId: s.project.id, milestoneId: s.input.milestoneId, currency: 'EUR' };
    await postMovement(h.db, { ...scope, idempotencyKey: `${s.input.milestoneId}:chargeback:${chargeback.chargebackId}:withdrawn`, movement: { type: 'chargeback_withdrawn', amount: 20000, fee: 0 } });
    await s.handle.signal(chargebackSignal, { ...chargeback, eventId: uniq('evt'), phase: 'opened' });
    await s.handle.signal(chargebackSignal, { ...chargeback, eventId: uniq('evt'), phase: 'lost' });
    const status = await s.handle.query(statusQuery);
    expect(status).toMatchObject({ state: 'released', inEscrow: 0, requestable: 20000 });
    expect(await refusal(s.handle, () => execute(s.handle, refundByProviderUpdate, { args: [{ actor: provider, amount: 1000, reason: 'x' }] }))).toBe(FailureType.BusinessRule);
    await settleAndTerminate(s.handle);
  });
});
