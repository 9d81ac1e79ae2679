import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { openIncidentOn, type IncidentRecord } from '../db/incidents';
import type { Db } from '../db/pool';
import type { ProjectRow } from '../db/projects';
import type { IncidentKind } from '../domain/incidents';
import { incidentEventSignal, incidentWorkflowId, type IncidentEvent } from '../workflows/incident/contract';
import { endedIsIgnored } from '../lib/workflow-signals';

export interface IncidentDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

/** Opens an incident (once per provider object) and starts the workflow that tells the parties and moves its money. */
export async function raiseIncident(
  { db, temporal, taskQueue }: IncidentDeps,
  i: { kind: IncidentKind; externalId: string; project: ProjectRow; milestoneId: string; amount: number; reason?: string },
): Promise<IncidentRecord> {
  const { incident, explanation, milestoneTitle } = await openIncidentOn(db, i.project, i);
  // Started even when the row existed: a crash between the two must not leave an incident nobody was told about.
  await temporal.workflow
    .start('incidentWorkflow', {
      workflowId: incidentWorkflowId(incident.id),
      taskQueue,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [{
        incidentId: incident.id, kind: i.kind, externalId: i.externalId, projectId: i.project.id, projectTitle: i.project.title,
        milestoneId: i.milestoneId, milestoneTitle, amount: i.amount, currency: i.project.currency, client: { id: i.project.client.id },
        provider: { id: i.project.provider.id }, explanation,
      }],
    })
    .catch((err) => {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    });
  return incident;
}

/** Tells an incident's workflow what the payment provider reported (money moved, or the outcome). */
export async function reportToIncident(temporal: Client, incidentId: string, event: IncidentEvent): Promise<boolean> {
  return endedIsIgnored(temporal.workflow.getHandle(incidentWorkflowId(incidentId)).signal(incidentEventSignal, event));
}
