import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { AmendOutcome } from '../workflows/activities/contract';
import { amendUpdate, milestoneWorkflowId, type AmendArgs } from '../workflows/milestone/contract';

export function amendmentActivities({ temporal }: { temporal: Client }) {
  return {
    /** Applies an agreed amendment to one milestone through its workflow; a refusal is an answer, not a failure. */
    async amendMilestone(a: { milestoneId: string } & AmendArgs): Promise<AmendOutcome> {
      try {
        const status = await temporal.workflow.getHandle(milestoneWorkflowId(a.milestoneId)).executeUpdate(amendUpdate, { args: [{ amendmentId: a.amendmentId, change: a.change }] });
        return { ok: true, status };
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) return { ok: false, reason: err.cause.message };
        // The milestone ended meanwhile (or ended while the update was in flight): nothing left to amend.
        if (err instanceof WorkflowNotFoundError) return { ok: false, reason: 'the milestone has ended' };
        throw err;
      }
    },
  };
}
