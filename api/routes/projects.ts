import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../../db/pool';
import { insertProjectOnce, type ProjectRow } from '../../db/projects';
import { milestoneFigures, ZERO_FIGURES } from '../../db/ledger';
import { listMilestoneEvents } from '../../db/milestone-events';
import type { Config } from '../../lib/config';
import { PPM, rateToPpm } from '../../domain/fees';
import { newId } from '../../lib/ids';
import { milestoneInputFor, milestoneTiming } from '../milestone-input';
import {
  cancelUpdate,
  completeUpdate,
  milestoneWorkflowId,
  releaseUpdate,
  statusQuery,
} from '../../workflows/milestone/contract';
import { milestonesStartedUpdate, projectWorkflowId } from '../../workflows/project/contract';
import { requireEscrow, requireMilestone } from '../access';
import { HttpProblem } from '../problem';
import { actorOf } from '../middleware/auth';
import type { ApiRoutes } from '../route';
import {
  CreateProjectBody,
  MilestoneParams,
  MilestoneStatusView,
  PaymentSummaryView,
  ProjectParams,
  ProjectView,
  TimelineView,
} from './projects.schemas';

export interface ProjectRouteDeps {
  db: Db;
  temporal: Client;
  config: Config;
}

const rate = (ppm: number) => ppm / PPM;

const projectView = (p: ProjectRow) => ({
  id: p.id,
  externalId: p.externalId,
  title: p.title,
  formula: p.formula,
  currency: p.currency,
  state: p.state,
  client: p.client,
  provider: p.provider,
  clientSilencePolicy: p.clientSilencePolicy,
  commissionRate: rate(p.fees.commissionPpm),
  escrowFeeRate: rate(p.fees.escrowFeePpm),
  milestones: p.milestones.map((m) => ({ id: m.id, title: m.title, amount: m.amount, state: m.state })),
});

/** A repeated create is the same project only if it names the same formula, currency, parties and milestones. */
function sameProject(p: ProjectRow, body: CreateProjectBody): boolean {
  const parties = (x: { id: string; email: string }) => `${x.id}|${x.email}`;
  return (
    p.formula === body.formula &&
    p.currency === body.currency &&
    parties(p.client) === parties(body.client) &&
    parties(p.provider) === parties(body.provider) &&
    p.milestones.length >= body.milestones.length
  );
}

export function projectRoutes(routes: ApiRoutes, { db, temporal, config }: ProjectRouteDeps): void {
  /** Starts the project workflow (and through it every milestone's) and returns once all have started. */
  async function startProjectWorkflow(project: ProjectRow): Promise<void> {
    const timing = milestoneTiming(config, project.clientSilencePolicy);
    const milestones = project.milestones.map((m) => milestoneInputFor(project, m, timing));
    const start = new WithStartWorkflowOperation('projectWorkflow', {
      workflowId: projectWorkflowId(project.id),
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [{ projectId: project.id, milestones }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    await temporal.workflow.executeUpdateWithStart(milestonesStartedUpdate, { startWorkflowOperation: start });
  }

  routes.add({
    route: 'POST /v1/projects',
    summary: 'Create a project (idempotent on externalId)',
    body: CreateProjectBody,
    responses: { 201: { description: 'created', schema: ProjectView }, 200: { description: 'already existed', schema: ProjectView } },
    handler: async ({ user, body }) => {
      if (user.role === 'client' && body.client.id !== user.id) {
        throw new HttpProblem(403, 'a client creates projects only for themself', 'forbidden');
      }
      const { project, created } = await insertProjectOnce(db, {
        id: newId('prj'),
        externalId: body.externalId,
        title: body.title,
        formula: body.formula,
        currency: body.currency,
        client: body.client,
        provider: body.provider,
        createdBy: user.id,
        clientSilencePolicy: body.clientSilencePolicy ?? config.CLIENT_SILENCE_POLICY,
        fees: {
          commissionPpm: rateToPpm(body.commissionRate ?? config.COMMISSION_RATE),
          escrowFeePpm: rateToPpm(body.escrowFeeRate ?? config.ESCROW_FEE_RATE),
        },
        milestones: body.milestones.map((m) => ({ id: newId('ms'), title: m.title, amount: m.amount })),
      });
      if (!created && !sameProject(project, body)) {
        throw new HttpProblem(409, `externalId ${body.externalId} is already used by a different project`, 'conflict');
      }
      if (project.formula === 'r0' && project.state === 'active') {
        try {
          await startProjectWorkflow(project);
        } catch (err) {
          // A finished project's workflow is closed; its id is never reused.
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
      }
      return { status: created ? 201 : 200, body: projectView(project) };
    },
  });

  routes.add({
    route: 'GET /v1/projects/:projectId',
    summary: 'A project, its milestones and their states',
    params: ProjectParams,
    responses: { 200: { description: 'the project', schema: ProjectView } },
    handler: async ({ access: { project } }) => ({ status: 200, body: projectView(project) }),
  });

  routes.add({
    route: 'GET /v1/projects/:projectId/payments',
    summary: 'The Gestion paiements summary, from the ledger',
    params: ProjectParams,
    responses: { 200: { description: 'amounts per milestone and in total', schema: PaymentSummaryView } },
    handler: async ({ access: { project } }) => {
      requireEscrow(project);
      const figures = await milestoneFigures(db, project.id);
      const milestones = project.milestones.map((m) => ({
        milestoneId: m.id,
        title: m.title,
        state: m.state,
        amount: m.amount,
        ...(figures.get(m.id) ?? ZERO_FIGURES),
      }));
      const totals: Record<string, number> = {};
      for (const key of ['amount', ...Object.keys(ZERO_FIGURES)] as ('amount' | keyof typeof ZERO_FIGURES)[]) {
        totals[key] = milestones.reduce((total, m) => total + m[key], 0);
      }
      return { status: 200, body: { projectId: project.id, currency: project.currency, milestones, totals } };
    },
  });

  const milestoneAction = (
    route: 'POST /v1/projects/:projectId/milestones/:milestoneId/complete' | 'POST /v1/projects/:projectId/milestones/:milestoneId/release',
    summary: string,
    update: typeof completeUpdate,
  ) =>
    routes.add({
      route,
      summary,
      params: MilestoneParams,
      responses: { 200: { description: 'the milestone after the action', schema: MilestoneStatusView } },
      handler: async ({ user, params, access: { project } }) => {
        requireEscrow(project);
        requireMilestone(project, params.milestoneId);
        const handle = temporal.workflow.getHandle(milestoneWorkflowId(params.milestoneId));
        const status = await handle.executeUpdate(update, { args: [{ actor: actorOf(user) }] });
        return { status: 200, body: status };
      },
    });
  milestoneAction('POST /v1/projects/:projectId/milestones/:milestoneId/complete', 'The provider says the work is done', completeUpdate);
  milestoneAction('POST /v1/projects/:projectId/milestones/:milestoneId/release', 'The client releases the escrow to the provider', releaseUpdate);

  routes.add({
    route: 'POST /v1/projects/:projectId/milestones/:milestoneId/cancel',
    summary: 'Cancel before funding; after funding, both parties must cancel (202 until then)',
    params: MilestoneParams,
    responses: {
      200: { description: 'cancelled or refunded', schema: MilestoneStatusView },
      202: { description: 'recorded; waits for the other party', schema: MilestoneStatusView },
    },
    handler: async ({ user, params, access: { project } }) => {
      requireEscrow(project);
      requireMilestone(project, params.milestoneId);
      const handle = temporal.workflow.getHandle(milestoneWorkflowId(params.milestoneId));
      const result = await handle.executeUpdate(cancelUpdate, { args: [{ actor: actorOf(user) }] });
      return { status: result.outcome === 'pending' ? 202 : 200, body: { ...result.status, outcome: result.outcome } };
    },
  });

  routes.add({
    route: 'GET /v1/projects/:projectId/milestones/:milestoneId',
    summary: "A milestone's live state, from its workflow (the read model once it has ended)",
    params: MilestoneParams,
    responses: { 200: { description: 'the milestone', schema: MilestoneStatusView } },
    handler: async ({ params, access: { project } }) => {
      requireEscrow(project);
      const milestone = requireMilestone(project, params.milestoneId);
      try {
        return { status: 200, body: await temporal.workflow.getHandle(milestoneWorkflowId(milestone.id)).query(statusQuery) };
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        const f = (await milestoneFigures(db, project.id)).get(milestone.id) ?? ZERO_FIGURES;
        const body = {
          milestoneId: milestone.id, projectId: project.id, state: milestone.state, amount: milestone.amount, currency: project.currency,
          deposited: f.deposited, released: f.released, refunded: f.refunded, inEscrow: f.inEscrow, escrowFeeDue: f.escrowFee,
          escrowFeeHeld: 0, dueNow: 0, commission: f.commission, cancelRequestedBy: [],
        };
        return { status: 200, body };
      }
    },
  });

  routes.add({
    route: 'GET /v1/projects/:projectId/milestones/:milestoneId/timeline',
    summary: 'What happened to a milestone, in order',
    params: MilestoneParams,
    responses: { 200: { description: 'ordered events', schema: TimelineView } },
    handler: async ({ params, access: { project } }) => {
      requireMilestone(project, params.milestoneId);
      return { status: 200, body: { milestoneId: params.milestoneId, events: await listMilestoneEvents(db, params.milestoneId) } };
    },
  });
}
