import type { Client } from '@temporalio/client';
import type { PaymentRail } from '../../domain/payment-provider';
import { milestoneWorkflowId, statusQuery } from '../../workflows/milestone/contract';
import { addBonusUpdate, projectWorkflowId } from '../../workflows/project/contract';
import { requireEscrow } from '../access';
import { deliverDeposit } from '../deposits';
import { actorOf } from '../middleware/auth';
import { requestScopedId } from '../request-context';
import type { ApiRoutes } from '../route';
import { MilestoneStatusView } from './milestones.schemas';
import { ProjectParams } from './projects.schemas';
import { BonusBody } from './bonuses.schemas';

/**
 * A bonus: the client pays the provider on top of the milestones. It is a milestone of its own kind, funded like a
 * deposit (a deposit intent with Stripe, a deposit webhook with the generic rail; the sandbox takes it at once) and
 * released to the provider as soon as it arrives; the provider invoices it through a payment request.
 */
export function bonusRoutes(routes: ApiRoutes, deps: { temporal: Client; taskQueue: string; rail: PaymentRail }): void {
  const { temporal, taskQueue, rail } = deps;
  routes.add({
    route: 'POST /v1/projects/:projectId/bonuses',
    summary: 'The client pays a bonus: funded like a deposit, released to the provider when it arrives',
    params: ProjectParams,
    body: BonusBody,
    responses: { 201: { description: "the bonus, as a milestone of kind 'bonus' (pay its dueNow like a deposit)", schema: MilestoneStatusView } },
  }).handle(async ({ user, body, access: { project } }) => {
    requireEscrow(project);
    const bonusId = requestScopedId('bns');
    const { milestoneId } = await temporal.workflow.getHandle(projectWorkflowId(project.id)).executeUpdate(addBonusUpdate, {
      args: [{ actor: actorOf(user), bonusId, amount: body.amount, message: body.message }],
    });
    if (rail === 'sandbox') {
      await deliverDeposit(temporal, taskQueue, { project, milestoneId, eventId: `sandbox:bonus:${milestoneId}`, amount: body.amount, reference: `sandbox-${milestoneId}` });
    }
    return { status: 201, body: await temporal.workflow.getHandle(milestoneWorkflowId(milestoneId)).query(statusQuery) };
  });
}
