/** A dispute on a milestone: its states and the file the parties and the mediation service (SMA) build. */
import type { MilestoneState } from './milestone';
import type { Party } from './parties';

export const DISPUTE_STATES = ['open', 'escalated', 'settled', 'decided', 'withdrawn'] as const;
export type DisputeState = (typeof DISPUTE_STATES)[number];
export const isDisputeActive = (state: DisputeState): boolean => state === 'open' || state === 'escalated';

export interface DisputeStatement {
  by: Party | 'mediator';
  userId: string;
  kind: 'opening' | 'response' | 'information_answer';
  text: string;
  at: string;
}

export interface DisputeProposal {
  id: string;
  by: Party;
  providerAmount: number;
  clientAmount: number;
  at: string;
  state: 'pending' | 'accepted' | 'superseded';
}

export interface InformationRequest {
  id: string;
  party: Party;
  question: string;
  by: string;
  at: string;
  deadline: string;
  answeredAt?: string;
  /** set when the deadline passed without an answer */
  expiredAt?: string;
}

export interface DisputeReminder {
  to: Party;
  about: 'response' | 'information';
  n: number;
  at: string;
}

export interface DisputeView {
  id: string;
  milestoneId: string;
  projectId: string;
  state: DisputeState;
  openedBy: Party;
  /** true when the platform opened it on the provider's behalf (client-silence policy) */
  openedAutomatically: boolean;
  reason: string;
  /** the party invited to respond */
  respondent: Party;
  openedAt: string;
  responseDeadline: string;
  escalatedAt?: string;
  closedAt?: string;
  /** the milestone's state before the dispute, where a withdrawal returns it */
  previousState: MilestoneState;
  inEscrow: number;
  currency: string;
  statements: DisputeStatement[];
  proposals: DisputeProposal[];
  informationRequests: InformationRequest[];
  reminders: DisputeReminder[];
  decision?: { providerAmount: number; clientAmount: number; rationale: string; by: string; at: string };
  settlement?: { proposalId: string; providerAmount: number; clientAmount: number; at: string };
  /** increases with every change, so the read model keeps the latest snapshot */
  version: number;
}
