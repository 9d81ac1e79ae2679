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

/** A long text of a dispute's file (a statement, a mediator's question), stored once apart from the file's snapshots. */
export interface DisputeText {
  key: string;
  text: string;
}

const statementKey = (index: number) => `statement:${index}`;
const questionKey = (requestId: string) => `question:${requestId}`;

/** Every long text of the file, by a key that stays the same as the file grows (entries are only appended). */
export function disputeTexts(d: DisputeView): DisputeText[] {
  return [
    ...d.statements.map((s, i) => ({ key: statementKey(i), text: s.text })),
    ...d.informationRequests.map((r) => ({ key: questionKey(r.id), text: r.question })),
  ];
}

/**
 * The file without its long texts ('' where one was): what travels with every change, so that a change costs the
 * same whatever the file holds. Without it each proposal carried every statement again, and a dispute's history
 * grew with the square of its entries (10 MB for one hostile dispute).
 */
export function leanDispute(d: DisputeView): DisputeView {
  return {
    ...d,
    statements: d.statements.map((s) => ({ ...s, text: '' })),
    proposals: d.proposals.map((p) => ({ ...p })),
    informationRequests: d.informationRequests.map((r) => ({ ...r, question: '' })),
    reminders: d.reminders.map((r) => ({ ...r })),
    ...(d.decision ? { decision: { ...d.decision } } : {}),
    ...(d.settlement ? { settlement: { ...d.settlement } } : {}),
  };
}

/** A lean file with its texts put back; a text already there (a file saved whole, before lean files) stays. */
export function withDisputeTexts(d: DisputeView, texts: ReadonlyMap<string, string>): DisputeView {
  return {
    ...d,
    statements: d.statements.map((s, i) => ({ ...s, text: s.text || (texts.get(statementKey(i)) ?? '') })),
    informationRequests: d.informationRequests.map((r) => ({ ...r, question: r.question || (texts.get(questionKey(r.id)) ?? '') })),
  };
}
