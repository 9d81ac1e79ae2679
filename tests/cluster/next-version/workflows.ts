/**
 * The next version of the workflow code, for the rolling upgrade of the cluster suite: the repository's workflows,
 * with a change of the milestone workflow's commands behind patched(), as a real change would be shipped. The new
 * command (a memo) is issued only by milestones that start on this version; those started before replay unchanged.
 */
import { patched, upsertMemo } from '@temporalio/workflow';
import { milestoneWorkflow as currentMilestoneWorkflow } from '../../../workflows/milestone/workflow';

export { projectWorkflow, refundWorkflow, incidentWorkflow } from '../../../workflows';

const NEXT_VERSION_PATCH = 'cluster-test-next-version';

export async function milestoneWorkflow(...args: Parameters<typeof currentMilestoneWorkflow>): ReturnType<typeof currentMilestoneWorkflow> {
  if (patched(NEXT_VERSION_PATCH)) upsertMemo({ codeVersion: 'next' });
  return currentMilestoneWorkflow(...args);
}
