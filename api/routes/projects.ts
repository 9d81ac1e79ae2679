import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { milestoneFigures, milestoneReleases, ZERO_FIGURES, type MilestoneFigures } from '../../db/ledger';
import type { Db } from '../../db/pool';
import { insertProjectOnce, type ProjectRow } from '../../db/projects';
import { PPM, rateToPpm } from '../../domain/fees';
import { isIsoCountry, isPlausibleVatNumber, isValidSiren, vatPrefixOf, type Company } from '../../domain/legal-identity';
import type { Config } from '../../lib/config';
import { requestScopedId } from '../request-context';
import { milestonesStartedUpdate, projectWorkflowId } from '../../workflows/project/contract';
import { requireEscrow } from '../access';
import { milestoneInputFor, milestoneTiming } from '../milestone-input';
import { HttpProblem } from '../problem';
import type { ApiRoutes } from '../route';
import { CreateProjectBody, PaymentSummaryView, ProjectParams, ProjectView } from './projects.schemas';

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
  milestones: p.milestones.map((m) => ({ id: m.id, title: m.title, amount: m.amount, state: m.state, kind: m.kind })),
});

/**
 * The checks a JSON schema cannot state: a country ISO assigns, a SIREN's check key, a French business's SIREN, a
 * VAT number of the company's country whose French key is its SIREN's. A client creating a project speaks for itself
 * only: the provider's business details, printed on invoices and checked against uploaded ones, come from the platform.
 */
function companyProblems(body: CreateProjectBody, role: string): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (role === 'client' && body.provider.company) {
    problems.push({ field: 'provider.company', message: "the provider's business details are given by the platform, not by the client" });
  }
  for (const side of ['client', 'provider'] as const) {
    const c = body[side].company;
    if (!c) continue;
    const problem = (field: string, message: string) => problems.push({ field: `${side}.company.${field}`, message });
    if (!isIsoCountry(c.country)) problem('country', `${c.country} is not an ISO 3166-1 country code`);
    if (c.siren !== undefined && !isValidSiren(c.siren)) problem('siren', `${c.siren} fails the SIREN check key`);
    if (c.country === 'FR' && c.siren === undefined) problem('siren', 'a French business is identified by its SIREN');
    if (c.vatNumber === undefined) continue;
    const prefix = vatPrefixOf(c.country);
    if (!isPlausibleVatNumber(c.vatNumber)) problem('vatNumber', `${c.vatNumber} does not match its SIREN's key`);
    else if (prefix && !c.vatNumber.startsWith(prefix)) problem('vatNumber', `a business in ${c.country} has a VAT number starting with ${prefix}`);
    else if (c.siren !== undefined && isValidSiren(c.siren) && c.vatNumber.startsWith('FR') && c.vatNumber.slice(4) !== c.siren) problem('vatNumber', `${c.vatNumber} is not the VAT number of SIREN ${c.siren}`);
  }
  return problems;
}

/** A repeated create is the same project only if it names the same formula, currency, parties (with their companies) and milestones. */
function sameProject(p: ProjectRow, body: CreateProjectBody): boolean {
  const company = (c: Company | undefined) => (c ? JSON.stringify([c.legalName, c.siren, c.vatNumber, c.address.line, c.address.postcode, c.address.city, c.country]) : '');
  const parties = (x: { id: string; email: string; company?: Company }) => `${x.id}|${x.email}|${company(x.company)}`;
  return (
    p.formula === body.formula &&
    p.currency === body.currency &&
    parties(p.client) === parties(body.client) &&
    parties(p.provider) === parties(body.provider) &&
    p.milestones.length >= body.milestones.length
  );
}

type Figures = MilestoneFigures & { amount: number };

/** Each figure summed over the milestones. */
function totalsOf(milestones: Figures[]): Figures {
  const totals: Figures = { amount: 0, ...ZERO_FIGURES };
  for (const m of milestones) for (const key of Object.keys(totals) as (keyof Figures)[]) totals[key] += m[key];
  return totals;
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
  }).handle(async ({ user, body }) => {
    if (user.role === 'client' && body.client.id !== user.id) {
      throw new HttpProblem(403, 'a client creates projects only for themself', 'forbidden');
    }
    const invalid = companyProblems(body, user.role);
    if (invalid.length > 0) {
      throw new HttpProblem(422, invalid.map((p) => `${p.field}: ${p.message}`).join('; '), 'invalid-company', invalid.map((p) => ({ path: p.field, message: p.message })));
    }
    const id = requestScopedId('prj');
    const { project, created: inserted } = await insertProjectOnce(db, {
      id,
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
      milestones: body.milestones.map((m) => ({ id: requestScopedId('ms'), title: m.title, amount: m.amount })),
    });
    // The same request sent again after a crash (same Idempotency-Key, same id) created it: its answer stays 201.
    const created = inserted || project.id === id;
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
  });

  routes.add({
    route: 'GET /v1/projects/:projectId',
    summary: 'A project, its milestones and their states',
    params: ProjectParams,
    responses: { 200: { description: 'the project', schema: ProjectView } },
  }).handle(({ access: { project } }) => ({ status: 200, body: projectView(project) }));

  routes.add({
    route: 'GET /v1/projects/:projectId/payments',
    summary: 'The Gestion paiements summary, from the ledger',
    params: ProjectParams,
    responses: { 200: { description: 'amounts per milestone and in total', schema: PaymentSummaryView } },
  }).handle(async ({ access: { project } }) => {
    requireEscrow(project);
    const [figures, releases] = await Promise.all([milestoneFigures(db, project.id), milestoneReleases(db, project.id)]);
    const milestones = project.milestones.map((m) => ({
      milestoneId: m.id,
      title: m.title,
      state: m.state,
      kind: m.kind,
      amount: m.amount,
      ...(figures.get(m.id) ?? ZERO_FIGURES),
      releases: releases.get(m.id) ?? [],
    }));
    return { status: 200, body: { projectId: project.id, currency: project.currency, milestones, totals: totalsOf(milestones) } };
  });
}
