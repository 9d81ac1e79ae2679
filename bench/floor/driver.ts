/** Drives floor workflows from the bench through the Temporal client: the same steps, sent one after the other. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { FLOOR_TASK_QUEUE, finishSignal, noopUpdate, stepSignal, stepUpdate, type FloorPlan } from './contract';
import type { floorWorkflow } from './workflow';

/** One floor life: started, every signal and update of the plan in order, then its result. */
export async function floorLife(client: Client, plan: FloorPlan): Promise<void> {
  const handle = await client.workflow.start<typeof floorWorkflow>('floorWorkflow', { workflowId: `floor:${randomUUID()}`, taskQueue: FLOOR_TASK_QUEUE, args: [plan] });
  for (const step of plan.steps) {
    if (step.trigger === 'signal') await handle.signal(stepSignal);
    else if (step.trigger === 'update') await handle.executeUpdate(stepUpdate);
  }
  await handle.result();
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
