import { readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { budget, floorPlanOf } from '../../bench/scenarios/history';
import { floorActivities } from '../../bench/floor/activities';
import { FLOOR_TASK_QUEUE } from '../../bench/floor/contract';
import { floorLife } from '../../bench/floor/driver';
import { bundleWorkflows } from '../../worker/create-worker';
import { startDevServer } from '../helpers/temporal';

const HISTORIES = path.join(__dirname, '..', 'workflows', 'histories');

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startDevServer();
});
afterAll(() => env?.teardown());

test('the floor workflow makes the commands of the life it was planned from: as many activities, local activities, signals, updates and timers, started and fired alike', async () => {
  const recorded = historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES, 'milestone-happy-path.v5.json'), 'utf8')));
  const plan = floorPlanOf(recorded, 200);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: FLOOR_TASK_QUEUE,
    activities: floorActivities,
    workflowBundle: await bundleWorkflows(require.resolve('../../bench/floor/workflow')),
  });
  const workflowId = await worker.runUntil(() => floorLife(env.client, plan));
  const floor = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const ours = budget(recorded);
  const theirs = budget(floor);
  expect({ activities: theirs.activities, localActivities: theirs.localActivities, signals: theirs.signals, updates: theirs.updates, timers: theirs.timers }).toEqual({
    activities: ours.activities,
    localActivities: ours.localActivities,
    signals: ours.signals,
    updates: ours.updates,
    timers: ours.timers,
  });
  const fired = (h: typeof recorded) => (h.events ?? []).filter((e) => e.timerFiredEventAttributes).length;
  expect(fired(floor)).toBe(fired(recorded));
  expect(theirs.byActivity).toEqual({ nothing: ours.activities });
});
