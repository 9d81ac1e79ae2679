import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleWorkflows } from '../../worker/create-worker';
import { completeUpdate, depositReceivedSignal } from '../../workflows/milestone/contract';
import type { Activities } from '../../workflows/activities/contract';
import { PROVIDER, standaloneMilestone } from '../helpers/fixtures';
import { recordHistoryIfAsked } from '../helpers/record-history';
import { eventually, startDevServer } from '../helpers/temporal';

const { EventType } = temporal.api.enums.v1;

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  [env, bundle] = await Promise.all([startDevServer(), bundleWorkflows()]);
});
afterAll(() => env?.teardown());

const ACTIVITIES: (keyof Activities)[] = ['addMilestone', 'amendMilestone', 'finishProject', 'issueFeeInvoice', 'moveMoney', 'notify', 'notifyStaff', 'orderPayout', 'orderRefund', 'recordEvent', 'recordStrayDeposit', 'saveDispute', 'schedulePaymentRequest', 'setMilestoneAmount', 'settlePayout', 'settleRefund'];

/**
 * A local activity that outlasts its workflow task: Core heartbeats the task (completes it and opens another) at 80%
 * of the task timeout, and an update waiting meanwhile is delivered while the local activity still runs. Replay puts
 * the local activity's result in the update's activation instead, since its marker was recorded by that task. Effects
 * must start in the same order either way (a database slower than the task timeout, or a write retried, does this in
 * production).
 */
test('an update delivered while a local activity outlasts its workflow task issues the commands replay expects', async () => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let blocked = false;
  const activities = Object.fromEntries(
    ACTIVITIES.map((name) => [
      name,
      async (arg: { type?: string }) => {
        if (name === 'recordEvent' && arg.type === 'funded') {
          blocked = true;
          await released;
        }
        return undefined;
      },
    ]),
  );
  const input = standaloneMilestone('la');
  const { milestoneId } = input;
  const taskQueue = `la-${milestoneId}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
  await worker.runUntil(async () => {
    // a short task timeout, so that Core heartbeats the task after 1.6 s instead of 8 s
    const handle = await env.client.workflow.start('milestoneWorkflow', { args: [input], taskQueue, workflowId: `milestone:${milestoneId}`, workflowTaskTimeout: '2s' });
    await handle.signal(depositReceivedSignal, { eventId: 'd1', amount: 103000, currency: 'EUR', reference: 'r1' });
    await eventually(() => (blocked ? true : undefined), 15000, 'the funded event being written');
    const delivered = handle.executeUpdate(completeUpdate, { args: [{ actor: { userId: PROVIDER.id, role: 'provider' } }] });
    const types = async () => ((await handle.fetchHistory()).events ?? []).map((e) => e.eventType);
    await eventually(async () => ((await types()).includes(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) ? true : undefined), 15000, 'the update accepted while the write runs');
    release();
    await expect(delivered).resolves.toMatchObject({ state: 'delivered' });

    const history = await handle.fetchHistory();
    const t = (history.events ?? []).map((e) => e.eventType);
    expect(t).not.toContain(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history)).resolves.toBeUndefined();
    await recordHistoryIfAsked(handle, 'milestone-local-activity-across-tasks');
    await handle.terminate();
  });
}, 60000);
