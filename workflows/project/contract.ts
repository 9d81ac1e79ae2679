/** The project workflow's contract: one per R0 project, parent of its milestones' workflows. */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { MilestoneInput, MilestoneState } from '../milestone/contract';

export const projectWorkflowId = (projectId: string): string => `project:${projectId}`;

export interface ProjectInput {
  projectId: string;
  milestones: MilestoneInput[];
}

export interface ProjectStatus {
  projectId: string;
  state: 'active' | 'finished';
  milestones: { milestoneId: string; started: boolean; finalState?: MilestoneState }[];
}

/** Resolves once every milestone workflow has started: the API sends it with the start, so 201 means ready. */
export const milestonesStartedUpdate = defineUpdate<ProjectStatus>('milestonesStarted');
export const projectStatusQuery = defineQuery<ProjectStatus>('projectStatus');
