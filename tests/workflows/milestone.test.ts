import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { milestoneFigures } from '../../db/ledger';
import { listMilestoneEvents } from '../../db/milestone-events';
import { listProviderRequests } from '../../db/payment-requests';
import { findMilestone } from '../../db/projects';
import {
  cancelUpdate,
  completeUpdate,
  depositReceivedSignal,
  releaseUpdate,
  requestPaymentUpdate,
  statusQuery,
} from '../../workflows/milestone/contract';
import { CLIENT, PROVIDER, milestoneInput, seedProject, storedInvoice, uniq } from '../helpers/fixtures';
import { client, DAY, deposit, drainRefunds, execute, provider, refusal, settleAndTerminate, startMilestone } from '../helpers/milestone-driver';
import type { Actor } from '../../domain/parties';
import { recordHistoryIfAsked } from '../helpers/record-history';
import { timeSkippingSuite, type WorkflowHarness } from '../helpers/workflow-env';


const suite = timeSkippingSuite();
let env: TestWorkflowEnvironment;
let h: WorkflowHarness;
beforeAll(() => {
  ({ env, h } = suite);
});


test('happy path: partial deposits, delivery, release, invoice, payout after two skipped days', async () => {
  const project = await seedProject(h.db, [120000]);
  const input = milestoneInput(project);
  const { worker, taskQueue } = await h.worker(env);
  await worker.runUntil(async () => {
    const handle = await startMilestone(env, input, taskQueue);
    await handle.signal(depositReceivedSignal, deposit('e1', 100000));
    expect((await handle.query(statusQuery)).state).toBe('awaiting_deposit');
    await handle.signal(depositReceivedSignal, deposit('e2', 20000));
    await execute(handle, completeUpdate, { args: [{ actor: provider }] });
    const afterRelease = await execute(handle, releaseUpdate, { args: [{ actor: client }] });
    expect(afterRelease).toMatchObject({ state: 'released', released: 120000, inEscrow: 0 });
    const requestedAt = await env.currentTimeMs();
    const requested = await execute(handle, requestPaymentUpdate, {
      args: [{ actor: provider, paymentRequestId: uniq('pr'), invoiceId: await storedInvoice(h.db, input.milestoneId, 'F-1'), invoiceNumber: 'F-1', amount: 120000 }],
    });
    expect(requested.state).toBe('payment_requested');
    expect(await handle.result()).toBe('paid');
    expect((await env.currentTimeMs()) - requestedAt).toBeGreaterThanOrEqual(2 * DAY);
    await recordHistoryIfAsked(handle, 'milestone-happy-path');
  });
  await expect(milestoneFigures(h.db, project.id).then((f) => f.get(input.milestoneId))).resolves.toMatchObject({
    deposited: 120000,
    released: 120000,
    refunded: 0,
    inEscrow: 0,
    paidOut: 120000,
  });
  expect((await findMilestone(h.db, input.milestoneId))?.state).toBe('paid');
  const [request] = await listProviderRequests(h.db, PROVIDER.id).then((rs) => rs.filter((r) => r.milestoneId === input.milestoneId));
  expect(request).toMatchObject({ state: 'paid', amount: 120000, invoiceNumber: 'F-1' });
  expect(request.payoutId).toMatch(/^po_sbx_/);
  const types = (await listMilestoneEvents(h.db, input.milestoneId)).map((e) => e.type);
  expect(types).toEqual(['deposit_received', 'deposit_received', 'funded', 'work_delivered', 'released', 'payment_requested', 'payout_ordered', 'paid']);
  for (const subject of ['Échéance financée', 'Travail livré', 'Montant libéré', 'Paiement effectué']) {
    await h.mail.waitFor((m) => m.subject.startsWith(subject) && m.text.includes(input.title));
  }
});

test('a redelivered deposit counts once; money beyond the amount due is recorded for refund', async () => {
  const project = await seedProject(h.db, [50000]);
  const input = milestoneInput(project);
  const { worker, taskQueue } = await h.worker(env);
  await worker.runUntil(async () => {
    const handle = await startMilestone(env, input, taskQueue);
    await handle.signal(depositReceivedSignal, deposit('d1', 30000));
    await handle.signal(depositReceivedSignal, deposit('d1', 30000));
    await handle.signal(depositReceivedSignal, deposit('d2', 30000));
    const status = await handle.query(statusQuery);
    expect(status).toMatchObject({ state: 'funded', deposited: 60000, refunded: 10000, inEscrow: 50000 });
    await execute(handle, cancelUpdate, { args: [{ actor: client }] });
    await execute(handle, cancelUpdate, { args: [{ actor: provider }] });
    expect(await handle.result()).toBe('refunded');
    await drainRefunds(env, [input.milestoneId]);
  });
  const figures = (await milestoneFigures(h.db, project.id)).get(input.milestoneId);
  expect(figures).toMatchObject({ deposited: 60000, released: 0, refunded: 60000, inEscrow: 0, paidOut: 0 });
});

test('refused actions: wrong party, wrong state, wrong amount; none reaches the history', async () => {
  const project = await seedProject(h.db, [80000]);
  const input = milestoneInput(project);
  const { worker, taskQueue } = await h.worker(env);
  await worker.runUntil(async () => {
    const handle = await startMilestone(env, input, taskQueue);
    expect(await refusal(handle, async () => handle.executeUpdate(releaseUpdate, { args: [{ actor: client }] }))).toBe('InvalidState');
    expect(await refusal(handle, async () => handle.executeUpdate(completeUpdate, { args: [{ actor: provider }] }))).toBe('InvalidState');
    await handle.signal(depositReceivedSignal, deposit('x1', 80000));
    expect(await refusal(handle, async () => handle.executeUpdate(completeUpdate, { args: [{ actor: client }] }))).toBe('NotAllowed');
    const stranger: Actor = { userId: 'p-2', role: 'provider' };
    expect(await refusal(handle, async () => handle.executeUpdate(completeUpdate, { args: [{ actor: stranger }] }))).toBe('NotAllowed');
    expect(await refusal(handle, async () => handle.executeUpdate(releaseUpdate, { args: [{ actor: provider }] }))).toBe('NotAllowed');
    await execute(handle, releaseUpdate, { args: [{ actor: client }] });
    const request = { actor: provider, paymentRequestId: uniq('pr'), invoiceId: 'inv', invoiceNumber: 'F-9', amount: 79999 };
    expect(await refusal(handle, async () => handle.executeUpdate(requestPaymentUpdate, { args: [request] }))).toBe('BusinessRule');
    expect(await refusal(handle, async () => handle.executeUpdate(cancelUpdate, { args: [{ actor: client }] }))).toBe('InvalidState');

    const { events } = await handle.fetchHistory();
    const accepted = (events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(accepted).toHaveLength(1); // the one release that was allowed
    expect((await handle.query(statusQuery)).state).toBe('released');
    await settleAndTerminate(handle);
  });
});

test('cancel before funding is immediate and refunds a partial deposit', async () => {
  const project = await seedProject(h.db, [40000, 60000]);
  const { worker, taskQueue } = await h.worker(env);
  await worker.runUntil(async () => {
    const untouched = await startMilestone(env, milestoneInput(project, 0), taskQueue);
    const partial = await startMilestone(env, milestoneInput(project, 1), taskQueue);
    await partial.signal(depositReceivedSignal, deposit('p1', 25000));
    const first = await execute(untouched, cancelUpdate, { args: [{ actor: provider }] });
    const second = await execute(partial, cancelUpdate, { args: [{ actor: client }] });
    expect(first.outcome).toBe('cancelled');
    expect(second).toMatchObject({ outcome: 'cancelled', status: { refunded: 25000, inEscrow: 0 } });
    expect(await untouched.result()).toBe('cancelled');
    expect(await partial.result()).toBe('cancelled');
    await drainRefunds(env, project.milestones.map((m) => m.id));
  });
  const figures = await milestoneFigures(h.db, project.id);
  expect(figures.get(project.milestones[0].id)).toBeUndefined();
  expect(figures.get(project.milestones[1].id)).toMatchObject({ deposited: 25000, refunded: 25000, inEscrow: 0 });
});

test('after funding, cancel waits for the other party, then refunds the escrow', async () => {
  const project = await seedProject(h.db, [30000]);
  const input = milestoneInput(project);
  const { worker, taskQueue } = await h.worker(env);
  await worker.runUntil(async () => {
    const handle = await startMilestone(env, input, taskQueue);
    await handle.signal(depositReceivedSignal, deposit('f1', 30000));
    const pending = await execute(handle, cancelUpdate, { args: [{ actor: client }] });
    expect(pending).toMatchObject({ outcome: 'pending', status: { state: 'funded', cancelRequestedBy: ['client'] } });
    // asked once is enough: a repeat would only mail the other party again
    expect(await refusal(handle, () => handle.executeUpdate(cancelUpdate, { args: [{ actor: client }] }))).toBe('InvalidState');
    const done = await execute(handle, cancelUpdate, { args: [{ actor: provider }] });
    expect(done).toMatchObject({ outcome: 'refunded', status: { state: 'refunded', refunded: 30000, inEscrow: 0 } });
    expect(await handle.result()).toBe('refunded');
    await drainRefunds(env, [input.milestoneId]);
  });
  await h.mail.waitFor((m) => m.subject.startsWith("Demande d'annulation") && m.to.includes(PROVIDER.email));
  await h.mail.waitFor((m) => m.subject.startsWith('Échéance remboursée') && m.to.includes(CLIENT.email));
});
