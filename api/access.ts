import type { Db } from '../db/pool';
import { findProject, type ProjectRow } from '../db/projects';
import type { Party } from '../workflows/shared';
import type { AuthUser } from './middleware/auth';
import { HttpProblem } from './problem';

/** The caller's relation to a project: a party, staff (mediator, platform), or nothing. */
export function partyOf(user: AuthUser, project: ProjectRow): Party | undefined {
  if (user.role === 'client' && user.id === project.client.id) return 'client';
  if (user.role === 'provider' && user.id === project.provider.id) return 'provider';
  return undefined;
}

/** Loads a project the caller may see; a caller who is neither party nor staff learns nothing (404). */
export async function loadVisibleProject(db: Db, user: AuthUser, projectId: string): Promise<ProjectRow> {
  const project = await findProject(db, projectId);
  const staff = user.role === 'mediator' || user.role === 'platform';
  if (!project || (!staff && !partyOf(user, project))) {
    throw new HttpProblem(404, `no project ${projectId}`, 'not-found');
  }
  return project;
}

/** For money operations: the project must use the R0 formula, where the platform holds the money. */
export function requireEscrow(project: ProjectRow): void {
  if (project.formula !== 'r0') {
    throw new HttpProblem(
      422,
      'this project uses the basic formula: the platform does not handle its payment, which is settled directly between client and provider',
      'payment-not-handled',
    );
  }
}

export function requireMilestone(project: ProjectRow, milestoneId: string) {
  const milestone = project.milestones.find((m) => m.id === milestoneId);
  if (!milestone) throw new HttpProblem(404, `no milestone ${milestoneId} in project ${project.id}`, 'not-found');
  return milestone;
}
