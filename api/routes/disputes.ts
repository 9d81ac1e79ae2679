import type { Client } from '@temporalio/client';
import { listDisputes, withTexts } from '../../db/disputes';
import type { Db } from '../../db/pool';
import {
  acceptProposalUpdate,
  decideDisputeUpdate,
  milestoneWorkflowId,
  openDisputeUpdate,
  proposeSettlementUpdate,
  requestInformationUpdate,
  respondToDisputeUpdate,
  withdrawDisputeUpdate,
} from '../../workflows/milestone/contract';
import type { DisputeView } from '../../domain/dispute';
import { requireEscrow, requireMilestone } from '../access';
import { actorOf } from '../middleware/auth';
import { HttpProblem } from '../problem';
import type { ApiRoutes } from '../route';
import { MilestoneParams } from './milestones.schemas';
import {
  DecisionBody,
  DisputeParams,
  DisputeQueue,
  DisputeViewSchema,
  ProposalMadeView,
  InformationRequestBody,
  OpenDisputeBody,
  ProposalBody,
  ProposalParams,
  QueueQuery,
  StatementBody,
} from './disputes.schemas';

export function disputeRoutes(routes: ApiRoutes, { db, temporal }: { db: Db; temporal: Client }): void {
  const milestoneHandle = (d: DisputeView) => temporal.workflow.getHandle(milestoneWorkflowId(d.milestoneId));
  // A workflow answers with the lean file (see leanDispute); its texts are in the read model by then.
  const whole = async (answer: Promise<DisputeView>) => (await withTexts(db, [await answer]))[0];
  const disputeResponse = { description: 'the dispute', schema: DisputeViewSchema };

  routes.add({
    route: 'POST /v1/projects/:projectId/milestones/:milestoneId/disputes',
    summary: 'Declare a dispute on a funded or delivered milestone: the escrow is frozen',
    params: MilestoneParams,
    body: OpenDisputeBody,
    responses: { 201: disputeResponse },
  }).handle(async ({ user, params, body, access: { project } }) => {
    requireEscrow(project);
    requireMilestone(project, params.milestoneId);
    const handle = temporal.workflow.getHandle(milestoneWorkflowId(params.milestoneId));
    const dispute = await whole(handle.executeUpdate(openDisputeUpdate, { args: [{ actor: actorOf(user), ...body }] }));
    return { status: 201, body: dispute };
  });

  routes.add({
    route: 'GET /v1/disputes/:disputeId',
    summary: 'A dispute: statements, proposals, information requests, reminders sent, decision',
    params: DisputeParams,
    responses: { 200: disputeResponse },
  }).handle(({ access: { dispute } }) => ({ status: 200, body: dispute }));

  routes.add({
    route: 'POST /v1/disputes/:disputeId/responses',
    summary: "The other party's response (or a party's answer to the mediator's question)",
    params: DisputeParams,
    body: StatementBody,
    responses: { 201: disputeResponse },
  }).handle(async ({ user, body, access: { dispute: d } }) => {
    const dispute = await whole(milestoneHandle(d).executeUpdate(respondToDisputeUpdate, { args: [{ actor: actorOf(user), disputeId: d.id, ...body }] }));
    return { status: 201, body: dispute };
  });

  routes.add({
    route: 'POST /v1/disputes/:disputeId/proposals',
    summary: 'Propose an amicable split: providerAmount to the provider, the rest back to the client',
    params: DisputeParams,
    body: ProposalBody,
    responses: { 201: { description: 'the dispute, with the new proposal last', schema: ProposalMadeView } },
  }).handle(async ({ user, body, access: { dispute: d } }) => {
    const dispute = await whole(milestoneHandle(d).executeUpdate(proposeSettlementUpdate, { args: [{ actor: actorOf(user), disputeId: d.id, ...body }] }));
    return { status: 201, body: { ...dispute, proposalId: dispute.proposals.at(-1)!.id } };
  });

  routes.add({
    route: 'POST /v1/disputes/:disputeId/proposals/:proposalId/accept',
    summary: 'The other party accepts a proposal: the dispute is settled and executed',
    params: ProposalParams,
    responses: { 200: disputeResponse },
  }).handle(async ({ user, params, access: { dispute: d } }) => {
    // A proposal is in the read model before the request that made it is answered (the workflow saves the file first).
    if (!d.proposals.some((p) => p.id === params.proposalId)) {
      throw new HttpProblem(404, `no proposal ${params.proposalId} in dispute ${d.id}`, 'not-found');
    }
    const dispute = await whole(milestoneHandle(d).executeUpdate(acceptProposalUpdate, { args: [{ actor: actorOf(user), disputeId: d.id, proposalId: params.proposalId }] }));
    return { status: 200, body: dispute };
  });

  routes.add({
    route: 'POST /v1/disputes/:disputeId/withdraw',
    summary: 'The party who declared the dispute withdraws it: the milestone returns to where it was',
    params: DisputeParams,
    responses: { 200: disputeResponse },
  }).handle(async ({ user, access: { dispute: d } }) => {
    const dispute = await whole(milestoneHandle(d).executeUpdate(withdrawDisputeUpdate, { args: [{ actor: actorOf(user), disputeId: d.id }] }));
    return { status: 200, body: dispute };
  });

  routes.add({
    route: 'GET /v1/mediation/disputes',
    summary: 'The SMA queue (?state=escalated), oldest escalation first',
    query: QueueQuery,
    responses: { 200: { description: 'disputes', schema: DisputeQueue } },
  }).handle(async ({ query }) => ({ status: 200, body: { items: await listDisputes(db, query.state, query.limit) } }));

  routes.add({
    route: 'POST /v1/disputes/:disputeId/information-requests',
    summary: 'A mediator asks a party for information: a new response window with reminders',
    params: DisputeParams,
    body: InformationRequestBody,
    responses: { 201: disputeResponse },
  }).handle(async ({ user, body, access: { dispute: d } }) => {
    const dispute = await whole(milestoneHandle(d).executeUpdate(requestInformationUpdate, { args: [{ actor: actorOf(user), disputeId: d.id, ...body }] }));
    return { status: 201, body: dispute };
  });

  routes.add({
    route: 'POST /v1/disputes/:disputeId/decision',
    summary: "The SMA's decision: providerAmount released in place of the client, clientAmount refunded",
    params: DisputeParams,
    body: DecisionBody,
    responses: { 200: disputeResponse },
  }).handle(async ({ user, body, access: { dispute: d } }) => {
    const dispute = await whole(milestoneHandle(d).executeUpdate(decideDisputeUpdate, { args: [{ actor: actorOf(user), disputeId: d.id, ...body }] }));
    return { status: 200, body: dispute };
  });
}
