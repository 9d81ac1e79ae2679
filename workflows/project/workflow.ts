import {
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  startChild,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { milestoneWorkflowId, type MilestoneState } from '../milestone/contract';
import { milestoneWorkflow } from '../milestone/workflow';
import { milestonesStartedUpdate, projectStatusQuery, type ProjectInput, type ProjectStatus } from './contract';

const acts = proxyActivities<Activities>({ startToCloseTimeout: '30s' });

/** Starts one milestone workflow per milestone and ends when every milestone is final. */
export async function projectWorkflow(input: ProjectInput): Promise<ProjectStatus> {
  const started = new Set<string>();
  const finalStates = new Map<string, MilestoneState>();
  let state: ProjectStatus['state'] = 'active';

  const status = (): ProjectStatus => ({
    projectId: input.projectId,
    state,
    milestones: input.milestones.map((m) => ({
      milestoneId: m.milestoneId,
      started: started.has(m.milestoneId),
      finalState: finalStates.get(m.milestoneId),
    })),
  });
  setHandler(projectStatusQuery, status);
  setHandler(milestonesStartedUpdate, async () => {
    await condition(() => started.size === input.milestones.length);
    return status();
  });

  const children = [];
  for (const milestone of input.milestones) {
    // Abandon: money held for a milestone must keep its own workflow even if the project's is terminated.
    const child = await startChild(milestoneWorkflow, {
      workflowId: milestoneWorkflowId(milestone.milestoneId),
      args: [milestone],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    started.add(milestone.milestoneId);
    children.push(child.result().then((final) => finalStates.set(milestone.milestoneId, final)));
  }
  await Promise.all(children);
  state = 'finished';
  await acts.finishProject(input.projectId);
  await condition(allHandlersFinished);
  return status();
}
