/**
 * Scenario 6, the history budget: the events and bytes one milestone's workflow records per kind of life, through
 * the API; the happy path's history also gives the floor workflow its plan (scenarios 1 and 3).
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { milestoneWorkflowId } from '../../workflows/milestone/contract';
import { projectWorkflowId } from '../../workflows/project/contract';
import { milestoneRefundId, refundWorkflowId } from '../../workflows/refund/contract';
import type { FloorPlan, FloorStep } from '../floor/contract';
import { log, type Context, type ScenarioResult } from '../scenario';

type History = temporal.api.history.v1.IHistory;

export interface HistoryBudget {
  events: number;
  bytes: number;
  activities: number;
  byActivity: Record<string, number>;
  /** activities run in the workflow task by its worker, each one marker event */
  localActivities: number;
  timers: number;
  signals: number;
  updates: number;
}

/** A paid milestone's budget (the issue's goal). */
const PAID_EVENTS_GOAL = 100;

async function historyOf(client: Client, workflowId: string): Promise<History | undefined> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    await handle.describe();
  } catch {
    return undefined; // never started (no refund of this number)
  }
  await Promise.race([handle.result().catch(() => undefined), new Promise((r) => setTimeout(r, 30_000))]);
  return handle.fetchHistory();
}

export function budget(history: History): HistoryBudget {
  const events = history.events ?? [];
  const byActivity: Record<string, number> = {};
  let timers = 0;
  let signals = 0;
  let updates = 0;
  let localActivities = 0;
  for (const e of events) {
    if (isLocalActivity(e)) localActivities += 1;
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name) byActivity[name] = (byActivity[name] ?? 0) + 1;
    if (e.timerStartedEventAttributes) timers += 1;
    if (e.workflowExecutionSignaledEventAttributes) signals += 1;
    if (e.workflowExecutionUpdateAcceptedEventAttributes) updates += 1;
  }
  return {
    events: events.length,
    bytes: temporal.api.history.v1.History.encode(history).finish().length,
    activities: Object.values(byActivity).reduce((s, n) => s + n, 0),
    byActivity,
    localActivities,
    timers,
    signals,
    updates,
  };
}

const isLocalActivity = (e: temporal.api.history.v1.IHistoryEvent) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity';

/** The commands of a recorded life, as the floor workflow replays them with no-op activities. */
export function floorPlanOf(history: History, timerMs: number): FloorPlan {
  const steps: FloorStep[] = [{ trigger: 'start', activities: 0, localActivities: 0 }];
  let started = 0;
  let fired = 0;
  for (const e of history.events ?? []) {
    if (e.workflowExecutionSignaledEventAttributes) steps.push({ trigger: 'signal', activities: 0, localActivities: 0 });
    else if (e.workflowExecutionUpdateAcceptedEventAttributes) steps.push({ trigger: 'update', activities: 0, localActivities: 0 });
    else if (e.timerFiredEventAttributes) {
      fired += 1;
      steps.push({ trigger: 'timer', activities: 0, localActivities: 0 });
    } else if (e.timerStartedEventAttributes) started += 1;
    else if (e.activityTaskScheduledEventAttributes) steps[steps.length - 1].activities += 1;
    else if (isLocalActivity(e)) steps[steps.length - 1].localActivities += 1;
  }
  return { steps, racedTimers: started - fired, timerMs };
}

async function milestoneBudget(ctx: Context, milestoneId: string): Promise<{ history: History; budget: HistoryBudget; refunds: HistoryBudget[] }> {
  const client = ctx.stack.temporal;
  const history = await historyOf(client, milestoneWorkflowId(milestoneId));
  if (!history) throw new Error(`no history for milestone ${milestoneId}`);
  const refunds: HistoryBudget[] = [];
  for (let n = 1; n <= 3; n++) {
    const refund = await historyOf(client, refundWorkflowId(milestoneRefundId(milestoneId, n)));
    if (refund) refunds.push(budget(refund));
  }
  return { history, budget: budget(history), refunds };
}

export async function historyBudget(ctx: Context): Promise<ScenarioResult> {
  const { lives } = ctx;
  const amount = 100_000;
  const lifecycles: Record<string, { milestone: HistoryBudget; refunds: HistoryBudget[] }> = {};
  let happyHistory: History | undefined;
  let projectBudget: HistoryBudget | undefined;
  const kinds: [string, (p: string, m: string) => Promise<unknown>][] = [
    ['happy path', (p, m) => lives.happy(p, m)],
    ['dispute → decision', (p, m) => lives.disputeDecided(p, m)],
    ['amendment', (p, m) => lives.amended(p, m, 80_000)],
    ['refund', (p, m) => lives.refunded(p, m)],
  ];
  await Promise.all(
    kinds.map(async ([kind, live]) => {
      const { projectId, milestoneIds } = await lives.createProject([amount], `Historique : ${kind}`);
      await live(projectId, milestoneIds[0]);
      const measured = await milestoneBudget(ctx, milestoneIds[0]);
      lifecycles[kind] = { milestone: measured.budget, refunds: measured.refunds };
      if (kind === 'happy path') {
        happyHistory = measured.history;
        const project = await ctx.stack.temporal.workflow.getHandle(projectWorkflowId(projectId)).fetchHistory();
        projectBudget = budget(project);
      }
      log(`history: ${kind}: ${measured.budget.events} events, ${measured.budget.bytes} bytes, ${measured.budget.activities} activities, ${measured.budget.localActivities} local`);
    }),
  );
  ctx.floorPlan = floorPlanOf(happyHistory!, 1000);
  const happy = lifecycles['happy path'].milestone;
  return {
    id: 6,
    name: 'History budget',
    figures: { lifecycles, projectWorkflowOfTheHappyPath: projectBudget, floorPlan: ctx.floorPlan },
    headline: Object.entries(lifecycles)
      .map(([kind, { milestone, refunds }]) => `${kind}: ${milestone.events} events / ${(milestone.bytes / 1024).toFixed(1)} KiB / ${milestone.activities} activities + ${milestone.localActivities} local${refunds.length ? ` (+ refund workflow ${refunds.map((r) => r.events).join('+')} events)` : ''}`)
      .join('; '),
    goals: [{ text: `a paid milestone ≤ ${PAID_EVENTS_GOAL} events (happy path: ${happy.events})`, met: happy.events <= PAID_EVENTS_GOAL }],
  };
}
