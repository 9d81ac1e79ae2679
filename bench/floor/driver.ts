/**
 * Drives floor workflows from the bench through the Temporal client: each signal or update sent once the workflow
 * waits for it (polled 20 ms apart, as our lives poll the milestone's state 100 ms apart).
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { FLOOR_TASK_QUEUE, finishSignal, noopUpdate, progressQuery, stepSignal, stepUpdate, type FloorPlan } from './contract';
import type { floorWorkflow } from './workflow';

/** One floor life: started, every signal and update of the plan in order, then its result; returns its workflow id. */
export async function floorLife(client: Client, plan: FloorPlan): Promise<string> {
  const workflowId = `floor:${randomUUID()}`;
  const handle = await client.workflow.start<typeof floorWorkflow>('floorWorkflow', { workflowId, taskQueue: FLOOR_TASK_QUEUE, args: [plan] });
  for (const [i, step] of plan.steps.entries()) {
    if (step.trigger !== 'signal' && step.trigger !== 'update') continue;
    while ((await handle.query(progressQuery)) <= i) await new Promise((r) => setTimeout(r, 20));
    if (step.trigger === 'signal') await handle.signal(stepSignal);
    else await handle.executeUpdate(stepUpdate);
  }
  await handle.result();
  return workflowId;
}

/** A floor workflow waiting for nothing but no-op updates, and the means to end it. */
export async function noopHost(client: Client): Promise<{ update(): Promise<void>; finish(): Promise<void> }> {
  const handle = await client.workflow.start<typeof floorWorkflow>('floorWorkflow', {
    workflowId: `floor-noop:${randomUUID()}`,
    taskQueue: FLOOR_TASK_QUEUE,
    args: [{ steps: [], racedTimers: 0, timerMs: 0 }],
  });
  return {
    update: async () => void (await handle.executeUpdate(noopUpdate)),
    finish: async () => {
      await handle.signal(finishSignal);
      await handle.result();
    },
  };
}
