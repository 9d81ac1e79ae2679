import type { Client } from '@temporalio/client';
import { saveDisputeSnapshot } from '../db/disputes';
import { resolveDepositFailures } from './incidents';
import { issueFeeInvoice } from '../db/fee-invoices';
import { contactOf } from './contacts';
import { recordBusinessEvent } from './timeline';
import { insertScheduledRequest } from '../db/payment-requests';
import type { Db } from '../db/pool';
import { addMilestoneRow, setMilestoneAmount, setProjectState } from '../db/projects';
import type { DisputeText, DisputeView } from '../domain/dispute';
import { describeFee } from '../domain/fees';
import type { TimelineEvent } from '../domain/milestone';
import type { ScheduledPaymentRequest } from '../domain/payments';
import type { FeeInvoiceRequest } from '../workflows/activities/contract';

/** States after which a failed deposit no longer matters: another paid, or nothing more is due. */
const DEPOSIT_SETTLED: readonly string[] = ['funded', 'cancelled', 'refunded'];

/** What the API reads, kept current by the workflows: timelines, disputes, fee invoices, requests, projects. */
export function readModelActivities({ db, temporal }: { db: Db; temporal: Client }) {
  return {
    async recordEvent(event: TimelineEvent): Promise<void> {
      await recordBusinessEvent(db, event);
      if (event.state && DEPOSIT_SETTLED.includes(event.state)) await resolveDepositFailures({ db, temporal }, event.milestoneId, event.key);
    },

    async saveDispute(dispute: DisputeView, texts: DisputeText[] = []): Promise<void> {
      await saveDisputeSnapshot(db, dispute, texts);
    },

    async issueFeeInvoice(f: FeeInvoiceRequest): Promise<{ id: string; number: string }> {
      const recipient = await contactOf(db, f.projectId, f.recipient, f.party);
      return issueFeeInvoice(db, {
        key: f.key, kind: f.kind, projectId: f.projectId, milestoneId: f.milestoneId, party: f.party, recipient,
        baseAmount: f.base, amount: f.amount, currency: f.currency, description: describeFee(f.kind),
      });
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

    async addMilestone(m: { projectId: string; milestoneId: string; title: string; amount: number }): Promise<void> {
      await addMilestoneRow(db, m);
    },
  };
}
