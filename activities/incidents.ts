import type { Client } from '@temporalio/client';
import { openIncidentOn, resolveOpenIncidents } from '../db/incidents';
import type { Db } from '../db/pool';
import { findProject } from '../db/projects';
import { endedIsIgnored } from '../lib/workflow-signals';
import { incidentEventSignal, incidentWorkflowId } from '../workflows/incident/contract';
import { recordBusinessEvent } from './timeline';

type FailureKind = 'payout_failed' | 'refund_failed';

/**
 * Payout and refund failures as payment incidents, on every rail: opened when the provider reports the failure,
 * resolved when a later attempt is paid. Their workflows already tell the provider, the client and the staff.
 */
export function failureIncidents(db: Db) {
  return {
    async open(i: { kind: FailureKind; externalId: string; projectId: string; milestoneId: string; amount: number; reason?: string }): Promise<void> {
      const project = (await findProject(db, i.projectId))!;
      const { incident } = await openIncidentOn(db, project, i);
      await recordBusinessEvent(db, { milestoneId: i.milestoneId, key: `${incident.id}:opened`, type: 'incident_opened', data: { incidentId: incident.id, kind: i.kind, amount: i.amount } });
    },

    /** Resolves the milestone's open incidents of a kind; with `externalIds`, only those (a milestone may have several payouts). */
    async resolve(r: { kind: FailureKind; milestoneId: string; externalIds?: string[] }): Promise<void> {
      await resolveOpenIncidents(db, r.milestoneId, r.kind, async (incident) => {
        await recordBusinessEvent(db, { milestoneId: r.milestoneId, key: `${incident.id}:closed`, type: 'incident_closed', data: { incidentId: incident.id, kind: r.kind, state: 'resolved' } });
      }, r.externalIds);
    },
  };
}

/**
 * A failed card or debit payment stops mattering once the milestone is funded by another, or cancelled: its incident
 * is resolved and its workflow told, so that it ends.
 */
export async function resolveDepositFailures(deps: { db: Db; temporal: Client }, milestoneId: string, eventKey: string): Promise<void> {
  await resolveOpenIncidents(deps.db, milestoneId, 'deposit_failed', async (incident, explanation) => {
    const signal = deps.temporal.workflow.getHandle(incidentWorkflowId(incident.id)).signal(incidentEventSignal, { eventId: `${eventKey}:resolves`, phase: 'closed', state: 'resolved', explanation });
    await endedIsIgnored(signal);
  });
}
