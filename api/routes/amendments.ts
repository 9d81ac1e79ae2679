import type { Client } from '@temporalio/client';
import type { Db } from '../../db/pool';
import { newId } from '../../lib/ids';
import {
  acceptAmendmentUpdate,
  projectStatusQuery,
  projectWorkflowId,
  proposeAmendmentUpdate,
  type AmendmentChange,
} from '../../workflows/project/contract';
import { loadVisibleProject, requireEscrow } from '../access';
import type { ApiRoutes } from '../route';
import { z } from 'zod';
import { AmendmentBody, AmendmentParams, AmendmentView, ProjectParams } from './projects.schemas';

/** Amendments: one party proposes changes to milestones, the other accepts, the project workflow applies them. */
export function amendmentRoutes(routes: ApiRoutes, { db, temporal }: { db: Db; temporal: Client }): void {
  const handle = (projectId: string) => temporal.workflow.getHandle(projectWorkflowId(projectId));

  routes.add({
    method: 'post',
    path: '/v1/projects/:projectId/amendments',
    summary: 'Propose changes: {milestoneId, amount}, {add: {title, amount}}, {remove: milestoneId}',
    roles: ['client', 'provider'],
    params: ProjectParams,
    body: AmendmentBody,
    responses: { 201: { description: 'the amendment, waiting for the other party', schema: AmendmentView } },
    handler: async ({ user, params, body }) => {
      const project = await loadVisibleProject(db, user, params.projectId);
      requireEscrow(project);
      const changes: AmendmentChange[] = body.changes.map((c) => ('add' in c ? { add: { milestoneId: newId('ms'), ...c.add } } : c));
      const amendment = await handle(project.id).executeUpdate(proposeAmendmentUpdate, {
        args: [{ actor: { userId: user.id, role: user.role }, amendmentId: newId('amd'), changes }],
      });
      return { status: 201, body: amendment };
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/projects/:projectId/amendments/:amendmentId/accept',
    summary: 'The other party accepts: applied at once; a decrease below what is in escrow refunds the difference',
    roles: ['client', 'provider'],
    params: AmendmentParams,
    responses: { 200: { description: 'the amendment with the result of each change', schema: AmendmentView } },
    handler: async ({ user, params }) => {
      const project = await loadVisibleProject(db, user, params.projectId);
      requireEscrow(project);
      const amendment = await handle(project.id).executeUpdate(acceptAmendmentUpdate, {
        args: [{ actor: { userId: user.id, role: user.role }, amendmentId: params.amendmentId }],
      });
      return { status: 200, body: amendment };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/projects/:projectId/amendments',
    summary: "The project's amendments, live from its workflow",
    roles: ['client', 'provider', 'mediator', 'platform'],
    params: ProjectParams,
    responses: { 200: { description: 'amendments', schema: z.object({ items: z.array(AmendmentView) }) } },
    handler: async ({ user, params }) => {
      const project = await loadVisibleProject(db, user, params.projectId);
      requireEscrow(project);
      const status = await handle(project.id).query(projectStatusQuery);
      return { status: 200, body: { items: status.amendments } };
    },
  });
}
