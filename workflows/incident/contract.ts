/** The incident workflow's contract: one per payment incident, from opening to closing (API.md, payment incidents). */
import { defineSignal } from '@temporalio/workflow';
import type { IncidentKind, IncidentState } from '../../domain/incidents';
import type { PartyRef } from '../../domain/parties';

export const incidentWorkflowId = (incidentId: string): string => `incident:${incidentId}`;

export interface IncidentInput {
  incidentId: string;
  kind: IncidentKind;
  /** the payment provider's object: a chargeback, an intent, a payout, a refund */
  externalId: string;
  projectId: string;
  projectTitle: string;
  milestoneId: string;
  milestoneTitle: string;
  amount: number;
  currency: string;
  client: PartyRef;
  provider: PartyRef;
  explanation: string;
}

/** What the payment provider reported since: money taken or given back, then the outcome. */
export type IncidentEvent =
  | { eventId: string; phase: 'funds_withdrawn' | 'funds_reinstated'; amount: number; fee: number }
  | {
      eventId: string;
      phase: 'closed';
      state: Exclude<IncidentState, 'open'>;
      explanation: string;
      /** a chargeback lost after its milestone ended: the whole amount is the platform's loss */
      lossAfterEnd?: number;
    };

export const incidentEventSignal = defineSignal<[IncidentEvent]>('incidentEvent');
