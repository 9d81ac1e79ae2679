import { Context } from '@temporalio/activity';
import { recordMilestoneEvent } from '../db/milestone-events';
import type { Db } from '../db/pool';
import type { TimelineEvent } from '../domain/milestone';

/**
 * Appends a business event to its milestone's timeline, and logs it the one time it is appended (a retried activity
 * logs nothing twice), through the activity's logger: in the worker, pino, with the workflow's and activity's ids.
 */
export async function recordBusinessEvent(db: Db, event: TimelineEvent): Promise<void> {
  if (!(await recordMilestoneEvent(db, event))) return;
  activityLog()?.info(`business event ${event.type}`, { event: event.type, milestoneId: event.milestoneId, key: event.key, actor: event.actor, ...event.data });
}

/** The running activity's logger; none when called outside an activity (unit tests). */
function activityLog() {
  try {
    return Context.current().log;
  } catch {
    return undefined;
  }
}
