/** Own file, own time-skipping server: this scenario waits on webhooks and must not share a clock with others. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { milestoneFigures } from '../../db/ledger';
import { listProviderRequests } from '../../db/payment-requests';
import {
  depositReceivedSignal,
  payoutSettledSignal,
  releaseUpdate,
  requestPaymentUpdate,
  retryPayoutUpdate,
  statusQuery,
} from '../../workflows/milestone/contract';
import { DEFAULT_FEES, PROVIDER, milestoneInput, seedProject, storedInvoice, uniq } from '../helpers/fixtures';
import { client, DAY, deposit, execute, provider, refusal, startMilestone } from '../helpers/milestone-driver';
import { recordHistoryIfAsked } from '../helpers/record-history';
import { eventually } from '../helpers/temporal';
import { STAFF_EMAIL, timeSkippingSuite, type WorkflowHarness } from '../helpers/workflow-env';


const suite = timeSkippingSuite();
let env: TestWorkflowEnvironment;
let h: WorkflowHarness;
beforeAll(() => {
  ({ env, h } = suite);
});


test('webhook rail: the payout waits for payout.paid; payout.failed puts it back to payable until the provider retries', async () => {
  const project = await seedProject(h.db, [10000], 'r0', 'Site vitrine', DEFAULT_FEES);
  const input = milestoneInput(project, 0, { payoutDelayMs: DAY });
  const { worker, taskQueue } = await h.worker(env, h.webhookOrders);
  await worker.runUntil(async () => {
    const handle = await startMilestone(env, input, taskQueue);
    await handle.signal(depositReceivedSignal, deposit('w1', 10300));
    await execute(handle, releaseUpdate, { args: [{ actor: client }] });
    const invoiceId = await storedInvoice(h.db, input.milestoneId, 'F-100');
    await execute(handle, requestPaymentUpdate, { args: [{ actor: provider, paymentRequestId: uniq('pr'), invoiceId, invoiceNumber: 'F-100', amount: 10000 }] });
    await env.sleep(DAY + 1000);
    const ordered = await eventually(async () => {
      const st = await handle.query(statusQuery);
      return st.paymentRequest?.payoutId ? st : undefined;
    });
    expect(ordered.paymentRequest).toMatchObject({ amount: 10000, payoutAmount: 9000, attempt: 1 });
    const payoutId = ordered.paymentRequest!.payoutId!;
    expect((await milestoneFigures(h.db, project.id)).get(input.milestoneId)).toMatchObject({ paidOut: 0, payable: 9000, commission: 1000 });

    await handle.signal(payoutSettledSignal, { eventId: 'po-evt-1', payoutId, outcome: 'failed', reason: 'IBAN invalide' });
    await h.mail.waitFor((m) => m.subject.startsWith('Échec du paiement') && m.text.includes('IBAN invalide'));
    await h.mail.waitFor((m) => m.to.includes(STAFF_EMAIL) && m.subject.includes(payoutId));
    const failed = await handle.query(statusQuery);
    expect(failed).toMatchObject({ state: 'payment_requested', paymentRequest: { failed: { reason: 'IBAN invalide' } } });
    expect(await refusal(handle, async () => handle.executeUpdate(retryPayoutUpdate, { args: [{ actor: client }] }))).toBe('NotAllowed');

    await execute(handle, retryPayoutUpdate, { args: [{ actor: provider }] });
    const retried = await eventually(async () => {
      const st = await handle.query(statusQuery);
      return st.paymentRequest?.attempt === 2 && st.paymentRequest.payoutId ? st.paymentRequest.payoutId : undefined;
    });
    expect(retried).not.toBe(payoutId);
    // a late duplicate of the first failure changes nothing
    await handle.signal(payoutSettledSignal, { eventId: 'po-evt-1', payoutId, outcome: 'failed', reason: 'IBAN invalide' });
    await handle.signal(payoutSettledSignal, { eventId: 'po-evt-2', payoutId: retried, outcome: 'paid' });
    // (awaiting result() right after a signal sometimes never returns on the time-skipping server: poll the state first)
    await eventually(async () => ((await handle.query(statusQuery)).state === 'paid' ? true : undefined));
    expect(await handle.result()).toBe('paid');
    await recordHistoryIfAsked(handle, 'milestone-payout-failed-then-paid');
    const orders = h.orders.orders.filter((o) => o.data.milestoneId === input.milestoneId);
    expect(orders.map((o) => [o.type, o.data.payoutId, o.data.amount])).toEqual([['payout.order', payoutId, 9000], ['payout.order', retried, 9000]]);
  });
  const requests = (await listProviderRequests(h.db, PROVIDER.id)).filter((r) => r.milestoneId === input.milestoneId);
  expect(requests).toEqual([expect.objectContaining({ invoiceNumber: 'F-100', state: 'paid', attempts: 2, payoutAmount: 9000 })]);
  expect((await milestoneFigures(h.db, project.id)).get(input.milestoneId)).toMatchObject({ released: 10000, paidOut: 9000, commission: 1000, escrowFee: 300, payable: 0 });
  const { rows } = await h.db.query('SELECT attempt, state FROM payouts WHERE milestone_id = $1 ORDER BY attempt', [input.milestoneId]);
  expect(rows).toEqual([{ attempt: 1, state: 'failed' }, { attempt: 2, state: 'paid' }]);
});
