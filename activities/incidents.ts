import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { closeIncident, openIncident, openIncidentsOf } from '../db/incidents';
import type { Db } from '../db/pool';
import { findProject } from '../db/projects';
import { explainIncident } from '../domain/incidents';
import { incidentEventSignal, incidentWorkflowId } from '../workflows/incident/contract';
import { recordBusinessEvent } from './timeline';

type FailureKind = 'payout_failed' | 'refund_failed';

/**
 * Payout and refund failures as payment incidents, on every rail: opened when the provider reports the failure,
 * resolved when a later attempt is paid. Their workflows already tell the provider, the client and the staff.
 */
export function failureIncidents(db: Db) {
  const titleOf = async (projectId: string, milestoneId: string) => {
    const project = (await findProject(db, projectId))!;
    return { project, title: project.milestones.find((m) => m.id === milestoneId)?.title ?? milestoneId };
  };
  return {
    async open(i: { kind: FailureKind; externalId: string; projectId: string; milestoneId: string; amount: number; currency: string; reason?: string }): Promise<void> {
      const { project, title } = await titleOf(i.projectId, i.milestoneId);
      const explanation = explainIncident({ kind: i.kind, state: 'open', amount: i.amount, currency: i.currency, milestoneTitle: title, reason: i.reason });
      const { incident } = await openIncident(db, {
        kind: i.kind, externalId: i.externalId, projectId: i.projectId, milestoneId: i.milestoneId, clientId: project.client.id,
        providerId: project.provider.id, amount: i.amount, currency: i.currency, explanation,
      });
      await recordBusinessEvent(db, { milestoneId: i.milestoneId, key: `${incident.id}:opened`, type: 'incident_opened', data: { incidentId: incident.id, kind: i.kind, amount: i.amount } });
    },

    async resolve(r: { kind: FailureKind; projectId: string; milestoneId: string }): Promise<void> {
      const { title } = await titleOf(r.projectId, r.milestoneId);
      for (const open of await openIncidentsOf(db, r.milestoneId, r.kind)) {
        const explanation = explainIncident({ kind: r.kind, state: 'resolved', amount: open.amount, currency: open.currency, milestoneTitle: title });
        if (await closeIncident(db, open.id, 'resolved', explanation)) {
          await recordBusinessEvent(db, { milestoneId: r.milestoneId, key: `${open.id}:closed`, type: 'incident_closed', data: { incidentId: open.id, kind: r.kind, state: 'resolved' } });
        }
      }
    },
  };
}

/**
 * A failed card or debit payment stops mattering once the milestone is funded by another, or cancelled: its incident
 * is resolved and its workflow told, so that it ends.
 */
export async function resolveDepositFailures(deps: { db: Db; temporal: Client }, milestoneId: string, eventKey: string): Promise<void> {
  const open = await openIncidentsOf(deps.db, milestoneId, 'deposit_failed');
  for (const incident of open) {
    const project = (await findProject(deps.db, incident.projectId))!;
    const milestoneTitle = project.milestones.find((m) => m.id === milestoneId)?.title ?? milestoneId;
    const explanation = explainIncident({ kind: 'deposit_failed', state: 'resolved', amount: incident.amount, currency: incident.currency, milestoneTitle });
    await closeIncident(deps.db, incident.id, 'resolved', explanation);
    await deps.temporal.workflow
      .getHandle(incidentWorkflowId(incident.id))
      .signal(incidentEventSignal, { eventId: `${eventKey}:resolves`, phase: 'closed', state: 'resolved', explanation })
      .catch((err: unknown) => {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      });
  }
}
