import { closeIncident, openIncident, openIncidentsOf } from '../db/incidents';
import type { Db } from '../db/pool';
import { findProject } from '../db/projects';
import { explainIncident } from '../domain/incidents';
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
