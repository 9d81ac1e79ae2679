import { condition, proxyActivities, proxyLocalActivities, setHandler, sleep } from '@temporalio/workflow';
import { finishSignal, noopUpdate, progressQuery, stepSignal, stepUpdate, type FloorPlan } from './contract';
import type { FloorActivities } from './activities';

// the same options as our activities (workflows/activities/proxies.ts)
const RETRY = { initialInterval: '1s', maximumInterval: '1m' };
const { nothing } = proxyActivities<FloorActivities>({ startToCloseTimeout: '30s', retry: RETRY });
const local = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '30s', retry: RETRY });

async function run(step: { activities: number; localActivities: number } | undefined): Promise<void> {
  for (let i = 0; i < (step?.localActivities ?? 0); i++) await local.nothing();
  for (let i = 0; i < (step?.activities ?? 0); i++) await nothing();
}

/** The plan's steps in order; returns how many steps ran. */
export async function floorWorkflow(plan: FloorPlan): Promise<number> {
  let signals = 0;
  let updates = 0;
  let finished = false;
  const updateSteps = plan.steps.filter((s) => s.trigger === 'update');
  setHandler(stepSignal, () => void (signals += 1));
  setHandler(finishSignal, () => void (finished = true));
  setHandler(noopUpdate, () => updates);
  setHandler(stepUpdate, async () => {
    const step = updateSteps[updates];
    updates += 1;
    await run(step);
    return updates;
  });

  // The driver sends each signal or update once the workflow waits for it (progressQuery), as our clients act on
  // the state they read: a raced timer is then always a command of an earlier task than the one that cancels it.
  let raced = plan.racedTimers;
  const waitFor = async (reached: () => boolean) => {
    if (raced > 0) {
      raced -= 1;
      await condition(reached, '1 day');
    } else await condition(reached);
  };
  let signalsSeen = 0;
  let updatesSeen = 0;
  let reachedSteps = 0;
  setHandler(progressQuery, () => reachedSteps);
  for (const step of plan.steps) {
    reachedSteps += 1;
    if (step.trigger === 'start') await run(step);
    else if (step.trigger === 'signal') {
      const k = ++signalsSeen;
      await waitFor(() => signals >= k);
      await run(step);
    } else if (step.trigger === 'update') {
      const k = ++updatesSeen;
      await waitFor(() => updates >= k);
    } else {
      await sleep(plan.timerMs);
      await run(step);
    }
  }
  if (plan.steps.length === 0) await condition(() => finished);
  return plan.steps.length;
}
