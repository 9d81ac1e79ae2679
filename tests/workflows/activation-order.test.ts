import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleWorkflows } from '../../worker/create-worker';
import { completeUpdate, depositReceivedSignal } from '../../workflows/milestone/contract';
import type { Activities } from '../../workflows/activities/contract';
import { PROVIDER, standaloneMilestone } from '../helpers/fixtures';
import { eventually, startDevServer } from '../helpers/temporal';

const { EventType } = temporal.api.enums.v1;

// The activities a milestone calls, as fakes that take some time: the mail is the slowest, so its completion comes
// alone, in a workflow task that issues no command.
const ACTIVITIES: (keyof Activities)[] = ['addMilestone', 'amendMilestone', 'finishProject', 'issueFeeInvoice', 'moveMoney', 'notify', 'notifyStaff', 'orderPayout', 'orderRefund', 'recordEvent', 'recordStrayDeposit', 'saveDispute', 'schedulePaymentRequest', 'setMilestoneAmount', 'settlePayout', 'settleRefund'];
const slow = (ms: number) => () => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms));
const activities = Object.fromEntries(ACTIVITIES.map((name) => [name, slow(name === 'notify' ? 150 : 15)]));

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  [env, bundle] = await Promise.all([startDevServer(), bundleWorkflows()]);
});
afterAll(() => env?.teardown());

/**
 * temporalio/sdk-core#1146: after a workflow task that issues no command, a worker without the run in its cache
 * delivers the next task's update in the same activation as the earlier activity completion, while replay delivers
 * them apart. Before effects started in rounds, the commands came out in another order and the run failed with a
 * nondeterminism error on every later task (evidence: docs/evidence/milestone-nondeterminism.history.json).
 */
test('an update after a command-less workflow task, on a worker without cache, issues the commands replay expects', async () => {
  const input = standaloneMilestone('order');
  const { milestoneId } = input;
  const taskQueue = `order-${milestoneId}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities, maxCachedWorkflows: 0 });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('milestoneWorkflow', { args: [input], taskQueue, workflowId: `milestone:${milestoneId}` });
    await handle.signal(depositReceivedSignal, { eventId: 'd1', amount: 103000, currency: 'EUR', reference: 'r1' });
    const types = async () => ((await handle.fetchHistory()).events ?? []).map((e) => e.eventType);
    // The funding mail completes last, and the task that follows it issues no command.
    await eventually(async () => {
      const t = await types();
      const count = (type: temporal.api.enums.v1.EventType) => t.filter((x) => x === type).length;
      const lastDone = t.lastIndexOf(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
      const allDone = count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) === count(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
      return allDone && lastDone > 0 && t.length === lastDone + 4 && t.at(-1) === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED ? true : undefined;
    }, 15000, 'the funding mail sent, then a task without commands');

    const delivered = handle.executeUpdate(completeUpdate, { args: [{ actor: { userId: PROVIDER.id, role: 'provider' } }] });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the update got no answer within 20 s')), 20000)));
    await expect(Promise.race([delivered, deadline]).finally(() => clearTimeout(timer))).resolves.toMatchObject({ state: 'delivered' });

    const history = await handle.fetchHistory();
    const t = (history.events ?? []).map((e) => e.eventType);
    const accepted = t.indexOf(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
    // The shape of sdk-core#1146: an activity completion, a task without commands, then the update's task.
    expect(t.slice(accepted - 7, accepted)).toEqual([
      EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    ]);
    expect(t).not.toContain(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history)).resolves.toBeUndefined();
    await handle.terminate();
  });
}, 60000);
