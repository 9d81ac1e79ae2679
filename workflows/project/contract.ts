/** The project workflow's contract: one per R0 project, parent of its milestones' workflows, owner of amendments. */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { MilestoneState } from '../../domain/milestone';
import type { Actor, Party } from '../../domain/parties';
import type { MilestoneInput } from '../milestone/contract';

export const projectWorkflowId = (projectId: string): string => `project:${projectId}`;

export interface ProjectInput {
  projectId: string;
  milestones: MilestoneInput[];
}

export type AmendmentChange =
  | { milestoneId: string; amount: number }
  | { add: { milestoneId: string; title: string; amount: number } }
  | { remove: string };

export interface AmendmentChangeResult {
  change: AmendmentChange;
  applied: boolean;
  reason?: string;
}

export interface Amendment {
  id: string;
  proposedBy: Party;
  proposedAt: string;
  changes: AmendmentChange[];
  state: 'pending' | 'applied' | 'partially_applied' | 'superseded';
  acceptedAt?: string;
  results?: AmendmentChangeResult[];
}

export interface ProjectStatus {
  projectId: string;
  state: 'active' | 'finished';
  milestones: { milestoneId: string; started: boolean; finalState?: MilestoneState | 'terminated' }[];
  amendments: Amendment[];
}

export interface ProposeAmendmentArgs {
  actor: Actor;
  amendmentId: string;
  changes: AmendmentChange[];
}

export interface AcceptAmendmentArgs {
  actor: Actor;
  amendmentId: string;
}

export interface AddBonusArgs {
  actor: Actor;
  /** the bonus's milestone id, chosen by the API */
  bonusId: string;
  amount: number;
  message: string;
}

/** Resolves once every milestone workflow has started: the API sends it with the start, so 201 means ready. */
export const milestonesStartedUpdate = defineUpdate<ProjectStatus>('milestonesStarted');
export const proposeAmendmentUpdate = defineUpdate<Amendment, [ProposeAmendmentArgs]>('proposeAmendment');
export const acceptAmendmentUpdate = defineUpdate<Amendment, [AcceptAmendmentArgs]>('acceptAmendment');
/** The client pays a bonus: a milestone of its own kind, released to the provider once funded. */
export const addBonusUpdate = defineUpdate<{ milestoneId: string }, [AddBonusArgs]>('addBonus');
export const projectStatusQuery = defineQuery<ProjectStatus>('projectStatus');
