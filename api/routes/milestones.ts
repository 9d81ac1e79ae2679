import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { milestoneFigures, ZERO_FIGURES } from '../../db/ledger';
import { listMilestoneEvents } from '../../db/milestone-events';
import type { Db } from '../../db/pool';
import { isMilestoneState } from '../../domain/milestone';
import type { ProjectRow } from '../../db/projects';
import {
  cancelUpdate,
  completeUpdate,
  milestoneWorkflowId,
  refundByProviderUpdate,
  releaseUpdate,
  requestChangesUpdate,
  statusQuery,
  type MilestoneStatus,
} from '../../workflows/milestone/contract';
import { requireEscrow, requireMilestone } from '../access';
import { actorOf } from '../middleware/auth';
import type { ApiRoutes } from '../route';
import {
  CancelledView,
  MilestoneParams,
  MilestoneStatusView,
  ProviderRefundBody,
  ReleaseBody,
  RequestChangesBody,
  TimelineView,
} from './milestones.schemas';

/** One milestone: the provider's and the client's actions, its live state and its timeline. */
export function milestoneRoutes(routes: ApiRoutes, { db, temporal }: { db: Db; temporal: Client }): void {
  const after = { 200: { description: 'the milestone after the action', schema: MilestoneStatusView } };
  const milestoneHandle = (project: ProjectRow, milestoneId: string) => {
    requireEscrow(project);
    requireMilestone(project, milestoneId);
    return temporal.workflow.getHandle(milestoneWorkflowId(milestoneId));
  };

  routes.add({
    route: 'POST /v1/projects/:projectId/milestones/:milestoneId/complete',
    summary: 'The provider says the work is done',
    params: MilestoneParams,
    responses: after,
  }).handle(async ({ user, params, access: { project } }) => {
    const status = await milestoneHandle(project, params.milestoneId).executeUpdate(completeUpdate, { args: [{ actor: actorOf(user) }] });
    return { status: 200, body: status };
  });

  routes.add({
    route: 'POST /v1/projects/:projectId/milestones/:milestoneId/release',
    summary: 'The client releases the escrow to the provider, or part of it (`amount`); the rest stays in escrow',
    params: MilestoneParams,
    body: ReleaseBody,
    bodyOptional: true,
    responses: after,
  }).handle(async ({ user, params, body, access: { project } }) => {
    const args = { actor: actorOf(user), ...(body.amount === undefined ? {} : { amount: body.amount }) };
    const status = await milestoneHandle(project, params.milestoneId).executeUpdate(releaseUpdate, { args: [args] });
    return { status: 200, body: status };
  });

  routes.add({
    route: 'POST /v1/projects/:projectId/milestones/:milestoneId/request-changes',
    summary: 'The client asks for changes to a delivery: the milestone goes back to funded and the provider is told',
    params: MilestoneParams,
    body: RequestChangesBody,
    responses: after,
  }).handle(async ({ user, params, body, access: { project } }) => {
    const args = { actor: actorOf(user), message: body.message };
    const status = await milestoneHandle(project, params.milestoneId).executeUpdate(requestChangesUpdate, { args: [args] });
    return { status: 200, body: status };
  });

  routes.add({
    route: 'POST /v1/projects/:projectId/milestones/:milestoneId/refunds',
    summary: 'The provider gives back part or all of the escrow, or of what was released and not yet requested, without a dispute',
    params: MilestoneParams,
    body: ProviderRefundBody,
    responses: after,
  }).handle(async ({ user, params, body, access: { project } }) => {
    const args = { actor: actorOf(user), amount: body.amount, reason: body.reason };
    const status = await milestoneHandle(project, params.milestoneId).executeUpdate(refundByProviderUpdate, { args: [args] });
    return { status: 200, body: status };
  });

  routes.add({
    route: 'POST /v1/projects/:projectId/milestones/:milestoneId/cancel',
    summary: 'Cancel before funding; after funding, both parties must cancel (202 until then)',
    params: MilestoneParams,
    responses: {
      200: { description: 'cancelled or refunded', schema: CancelledView },
      202: { description: 'recorded; waits for the other party', schema: CancelledView },
    },
  }).handle(async ({ user, params, access: { project } }) => {
    const result = await milestoneHandle(project, params.milestoneId).executeUpdate(cancelUpdate, { args: [{ actor: actorOf(user) }] });
    return { status: result.outcome === 'pending' ? 202 : 200, body: { ...result.status, outcome: result.outcome } };
  });

  routes.add({
    route: 'GET /v1/projects/:projectId/milestones/:milestoneId',
    summary: "A milestone's live state, from its workflow (the read model once it has ended)",
    params: MilestoneParams,
    responses: { 200: { description: 'the milestone', schema: MilestoneStatusView } },
  }).handle(async ({ params, access: { project } }) => {
    requireEscrow(project);
    const milestone = requireMilestone(project, params.milestoneId);
    try {
      return { status: 200, body: await temporal.workflow.getHandle(milestoneWorkflowId(milestone.id)).query(statusQuery) };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      const f = (await milestoneFigures(db, project.id)).get(milestone.id) ?? ZERO_FIGURES;
      // An R0 milestone's read model always holds one of the escrow states: anything else is a bug (503).
      if (!isMilestoneState(milestone.state)) throw new Error(`milestone ${milestone.id} of an R0 project is ${milestone.state}`, { cause: err });
      const body: MilestoneStatus = {
        milestoneId: milestone.id, projectId: project.id, state: milestone.state, amount: milestone.amount, currency: project.currency,
        deposited: f.deposited, released: f.released, refunded: f.refunded, inEscrow: f.inEscrow, escrowFeeDue: f.escrowFee,
        escrowFeeHeld: 0, dueNow: 0, commission: f.commission, cancelRequestedBy: [], paymentRequests: [], requestable: 0, changeRounds: 0,
        kind: milestone.kind,
      };
      return { status: 200, body };
    }
  });

  routes.add({
    route: 'GET /v1/projects/:projectId/milestones/:milestoneId/timeline',
    summary: 'What happened to a milestone, in order',
    params: MilestoneParams,
    responses: { 200: { description: 'ordered events', schema: TimelineView } },
  }).handle(async ({ params, access: { project } }) => {
    requireMilestone(project, params.milestoneId);
    return { status: 200, body: { milestoneId: params.milestoneId, events: await listMilestoneEvents(db, params.milestoneId) } };
  });
}
