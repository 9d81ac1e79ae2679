import type { Client } from '@temporalio/client';
import { requestScopedId } from '../request-context';
import {
  acceptAmendmentUpdate,
  projectStatusQuery,
  projectWorkflowId,
  proposeAmendmentUpdate,
  type AmendmentChange,
} from '../../workflows/project/contract';
import { requireEscrow } from '../access';
import { actorOf } from '../middleware/auth';
import { HttpProblem } from '../problem';
import type { ApiRoutes } from '../route';
import { AmendmentBody, AmendmentList, AmendmentParams, AmendmentView } from './amendments.schemas';
import { ProjectParams } from './projects.schemas';

/** Amendments: one party proposes changes to milestones, the other accepts, the project workflow applies them. */
export function amendmentRoutes(routes: ApiRoutes, { temporal }: { temporal: Client }): void {
  const handle = (projectId: string) => temporal.workflow.getHandle(projectWorkflowId(projectId));

  routes.add({
    route: 'POST /v1/projects/:projectId/amendments',
    summary: 'Propose changes: {milestoneId, amount}, {add: {title, amount}}, {remove: milestoneId}',
    params: ProjectParams,
    body: AmendmentBody,
    responses: { 201: { description: 'the amendment, waiting for the other party', schema: AmendmentView } },
  }).handle(async ({ user, body, access: { project } }) => {
    requireEscrow(project);
    const changes: AmendmentChange[] = body.changes.map((c) => ('add' in c ? { add: { milestoneId: requestScopedId('ms'), ...c.add } } : c));
    const amendment = await handle(project.id).executeUpdate(proposeAmendmentUpdate, {
      args: [{ actor: actorOf(user), amendmentId: requestScopedId('amd'), changes }],
    });
    return { status: 201, body: amendment };
  });

  routes.add({
    route: 'POST /v1/projects/:projectId/amendments/:amendmentId/accept',
    summary: 'The other party accepts: applied at once; a decrease below what is in escrow refunds the difference',
    params: AmendmentParams,
    responses: { 200: { description: 'the amendment with the result of each change', schema: AmendmentView } },
  }).handle(async ({ user, params, access: { project } }) => {
    requireEscrow(project);
    // An id the project never had is unknown (404), not a state conflict; a query is not recorded in the history.
    const { amendments } = await handle(project.id).query(projectStatusQuery);
    if (!amendments.some((a) => a.id === params.amendmentId)) {
      throw new HttpProblem(404, `no amendment ${params.amendmentId} on project ${project.id}`, 'not-found');
    }
    const amendment = await handle(project.id).executeUpdate(acceptAmendmentUpdate, {
      args: [{ actor: actorOf(user), amendmentId: params.amendmentId }],
    });
    return { status: 200, body: amendment };
  });

  routes.add({
    route: 'GET /v1/projects/:projectId/amendments',
    summary: "The project's amendments, live from its workflow",
    params: ProjectParams,
    responses: { 200: { description: 'amendments', schema: AmendmentList } },
  }).handle(async ({ access: { project } }) => {
    requireEscrow(project);
    const status = await handle(project.id).query(projectStatusQuery);
    return { status: 200, body: { items: status.amendments } };
  });
}
