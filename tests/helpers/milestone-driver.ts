import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { milestoneRefundId, refundWorkflowId } from '../../workflows/refund/contract';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Db } from '../../db/pool';
import type { ProjectRow } from '../../db/projects';
import {
  completeUpdate,
  depositReceivedSignal,
  milestoneWorkflowId,
  statusQuery,
  type MilestoneInput,
  type MilestoneTiming,
} from '../../workflows/milestone/contract';
import { milestoneWorkflow } from '../../workflows/milestone/workflow';
import { milestonesStartedUpdate, projectWorkflowId, type ProjectStatus } from '../../workflows/project/contract';
import { projectWorkflow } from '../../workflows/project/workflow';
import type { FeeRates } from '../../domain/fees';
import type { Actor } from '../../domain/parties';
import { CLIENT, NO_FEES, PROVIDER, milestoneInput, seedProject, uniq } from './fixtures';
import { eventually } from './temporal';

export const DAY = 86_400_000;
export const client: Actor = { userId: CLIENT.id, role: 'client' };
export const provider: Actor = { userId: PROVIDER.id, role: 'provider' };
export const mediator: Actor = { userId: 'med-1', role: 'mediator' };

export type MilestoneHandle = WorkflowHandle<typeof milestoneWorkflow>;

/**
 * Sends an update again while the workflow is running: the Java time-skipping server now and then answers an update,
 * refused or taken, as if the workflow were not found.
 */
async function resendWhenLost<T>(handle: WorkflowHandle, send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (attempt < 3 && err instanceof WorkflowNotFoundError && (await handle.describe()).status.name === 'RUNNING') continue;
      throw err;
    }
  }
}

/**
 * Runs an update that may end the workflow, whose result the test does not need: the time-skipping server sometimes
 * loses the outcome of such an update ("update … not found") once the workflow has completed, and then it cannot be
 * sent again. The test checks what it did through the workflow's result.
 */
export async function executeEnding<Args extends any[]>(handle: WorkflowHandle, def: UpdateDefinition<unknown, Args>, options?: { args: Args }): Promise<void> {
  try {
    await execute(handle, def, options);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError && (await handle.describe()).status.name === 'COMPLETED') return;
    throw err;
  }
}

/** The ApplicationFailure type an update was refused with (a rejected update leaves no trace: resending is harmless). */
export async function refusal(handle: WorkflowHandle, send: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await resendWhenLost(handle, send);
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) return err.cause.type ?? undefined;
    throw err;
  }
  throw new Error('the update was accepted');
}

/** Runs an update the workflow should accept; resent under the same id, which the server applies at most once. */
export function execute<Ret, Args extends any[]>(handle: WorkflowHandle, def: UpdateDefinition<Ret, Args>, options?: { args: Args }): Promise<Ret> {
  const updateId = randomUUID();
  // The SDK's overloads tell updates with and without arguments apart; this helper takes either.
  const update = def as unknown as UpdateDefinition<Ret, [any]>;
  return resendWhenLost(handle, () => handle.executeUpdate(update, { ...options, updateId } as unknown as { args: [any]; updateId: string }));
}

export interface Scenario {
  project: ProjectRow;
  input: MilestoneInput;
  handle: MilestoneHandle;
  /** notice kinds received for this milestone, oldest first */
  notices(): Promise<{ kind: string; userId: string }[]>;
  timeline(): Promise<string[]>;
}

/** Starts a milestone's workflow, remembered for drainRefunds. */
export async function startMilestone(env: TestWorkflowEnvironment, input: MilestoneInput, taskQueue: string): Promise<MilestoneHandle> {
  startedMilestones.push(input.milestoneId);
  return env.client.workflow.start(milestoneWorkflow, { workflowId: milestoneWorkflowId(input.milestoneId), taskQueue, args: [input] });
}

/** A payment-provider deposit, as the webhook route signals it. */
export const deposit = (eventId: string, amount: number) => ({ eventId, amount, currency: 'EUR', reference: `ref-${eventId}` });

/** Seeds a one-milestone project with a unique title and starts its workflow. */
export async function startScenario(
  env: TestWorkflowEnvironment,
  db: Db,
  taskQueue: string,
  amount = 120000,
  timing: Partial<MilestoneTiming> = {},
  fees: FeeRates = NO_FEES,
): Promise<Scenario> {
  const project = await seedProject(db, [amount], 'r0', uniq('Projet'), fees);
  const input = milestoneInput(project, 0, timing);
  const handle = await startMilestone(env, input, taskQueue);
  return {
    project,
    input,
    handle,
    async notices() {
      const { rows } = await db.query('SELECT kind, user_id FROM notifications WHERE milestone_id = $1 ORDER BY id', [input.milestoneId]);
      return rows.map((r) => ({ kind: r.kind, userId: r.user_id }));
    },
    async timeline() {
      const { rows } = await db.query('SELECT type FROM milestone_events WHERE milestone_id = $1 ORDER BY seq', [input.milestoneId]);
      return rows.map((r) => r.type as string);
    },
  };
}

export async function fund(s: Scenario, amount = s.input.amount): Promise<void> {
  await s.handle.signal(depositReceivedSignal, deposit(uniq('dep'), amount));
  // a query is answered after the signal is processed
  const status = await s.handle.query(statusQuery);
  if (status.state !== 'funded' && amount >= s.input.amount) throw new Error(`expected funded, got ${status.state}`);
}

export async function fundAndDeliver(s: Scenario): Promise<void> {
  await fund(s);
  await execute(s.handle, completeUpdate, { args: [{ actor: provider }] });
}

export const kinds = (notices: { kind: string }[]) => notices.map((n) => n.kind);
export const count = (notices: { kind: string }[], kind: string) => notices.filter((n) => n.kind === kind).length;

/** The id of the dispute currently on the milestone (dispute updates must name it). */
export async function disputeIdOf(s: Scenario): Promise<string> {
  return (await s.handle.query(statusQuery)).disputeId ?? 'dsp_none';
}

/** Starts a seeded project's workflow with all its milestones, once each milestone's workflow runs. */
export async function startProject(
  env: TestWorkflowEnvironment,
  project: ProjectRow,
  taskQueue: string,
): Promise<{ handle: WorkflowHandle<typeof projectWorkflow>; started: ProjectStatus }> {
  const handle = await env.client.workflow.start(projectWorkflow, {
    workflowId: projectWorkflowId(project.id),
    taskQueue,
    args: [{ projectId: project.id, milestones: project.milestones.map((_, i) => milestoneInput(project, i)) }],
  });
  return { handle, started: await execute(handle, milestonesStartedUpdate) };
}

/** Every milestone a scenario started in this test file. */
export const startedMilestones: string[] = [];

/**
 * Waits for every refund workflow of these milestones to finish (the n-th refund of each, n = 1, 2, …). A refund left
 * running when its test's worker stops would hold the time-skipping server's clock for the next test.
 */
export async function drainRefunds(env: TestWorkflowEnvironment, milestoneIds: string[] = startedMilestones): Promise<void> {
  for (const milestoneId of milestoneIds) {
    for (let n = 1; ; n++) {
      const handle = env.client.workflow.getHandle(refundWorkflowId(milestoneRefundId(milestoneId, n)));
      try {
        await handle.describe();
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) break;
        throw err;
      }
      await handle.result();
    }
  }
}

/**
 * Ends a test's still-running milestone once it has no activity in flight: an activity cut off by termination would
 * hold the time-skipping server's clock for the next test.
 */
export async function settleAndTerminate(handle: WorkflowHandle): Promise<void> {
  await eventually(async () => {
    const { raw } = await handle.describe();
    return (raw.pendingActivities?.length ?? 0) === 0 ? true : undefined;
  }, 15000, 'no activity in flight');
  await handle.terminate('test done');
}

/**
 * A milestone's final state once its workflow has completed, read without `result()`: awaiting a result lets the
 * time-skipping server skip time, and a refund left waiting for its webhook would then reach the server's default
 * execution timeout (10 years) and time out.
 */
export async function finalState(handle: MilestoneHandle): Promise<string> {
  await eventually(async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined), 15000, 'milestone completed');
  return (await handle.query(statusQuery)).state;
}
