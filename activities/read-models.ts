import type { Client } from '@temporalio/client';
import { saveDisputeSnapshot } from '../db/disputes';
import { resolveDepositFailures } from './incidents';
import { recordBusinessEvent } from './timeline';
import { insertScheduledRequest } from '../db/payment-requests';
import type { Db } from '../db/pool';
import { addMilestoneRow, setMilestoneAmount, setProjectState } from '../db/projects';
import type { DisputeText, DisputeView } from '../domain/dispute';
import type { TimelineEvent } from '../domain/milestone';
import type { ScheduledPaymentRequest } from '../domain/payments';

/** States after which a failed deposit no longer matters: another paid, or nothing more is due. */
const DEPOSIT_SETTLED: readonly string[] = ['funded', 'cancelled', 'refunded'];

/** What the API reads, kept current by the workflows: timelines, disputes, payment requests, projects. */
export function readModelActivities({ db, temporal }: { db: Db; temporal: Client }) {
  return {
    async recordEvent(event: TimelineEvent): Promise<void> {
      await recordBusinessEvent(db, event);
      if (event.state && DEPOSIT_SETTLED.includes(event.state)) await resolveDepositFailures({ db, temporal }, event.milestoneId, event.key);
    },

    async saveDispute(dispute: DisputeView, texts: DisputeText[] = []): Promise<void> {
      await saveDisputeSnapshot(db, dispute, texts);
    },


    async schedulePaymentRequest(request: ScheduledPaymentRequest): Promise<void> {
      await insertScheduledRequest(db, request);
    },

    async finishProject(projectId: string): Promise<void> {
      await setProjectState(db, projectId, 'finished');
    },

    async setMilestoneAmount(m: { milestoneId: string; amount: number }): Promise<void> {
      await setMilestoneAmount(db, m.milestoneId, m.amount);
    },

    async addMilestone(m: { projectId: string; milestoneId: string; title: string; amount: number; kind?: 'milestone' | 'bonus' }): Promise<void> {
      await addMilestoneRow(db, m);
    },
  };
}
