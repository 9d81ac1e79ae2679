import type { Client } from '@temporalio/client';
import { countDepositIntents, openDepositIntent, saveDepositIntent } from '../../db/deposit-intents';
import { listIncidents } from '../../db/incidents';
import { findPayoutAccount, providerEmail, savePayoutAccount } from '../../db/payout-accounts';
import type { Db } from '../../db/pool';
import type { PaymentProvider } from '../../domain/payment-provider';
import { milestoneWorkflowId, statusQuery } from '../../workflows/milestone/contract';
import { requireEscrow, requireMilestone } from '../access';
import { HttpProblem } from '../problem';
import type { ApiRoutes } from '../route';
import { MilestoneParams } from './milestones.schemas';
import { DepositInstructionsView, IncidentList, IncidentsQuery, MyIncidentsQuery, PayoutAccountView } from './payment-provider.schemas';

/** The payment provider as its users meet it: the provider's payout account, the client's deposit, incidents. */
export function paymentProviderRoutes(routes: ApiRoutes, { db, temporal, payments }: { db: Db; temporal: Client; payments: PaymentProvider }): void {
  routes.add({
    route: 'POST /v1/me/payout-account',
    summary: "Creates the provider's payout account once; each call gives a fresh single-use onboarding link",
    responses: {
      200: { description: 'the existing account, with a fresh onboarding link', schema: PayoutAccountView },
      201: { description: 'the account, created', schema: PayoutAccountView },
    },
  }).handle(async ({ user }) => {
    const existing = await findPayoutAccount(db, user.id);
    const opened = await payments.openPayoutAccount({ providerId: user.id, email: (await providerEmail(db, user.id)) ?? '', existingAccountId: existing?.accountId });
    const saved = existing ?? (await savePayoutAccount(db, { providerId: user.id, accountId: opened.accountId, payoutsEnabled: opened.payoutsEnabled }));
    const body = { accountId: saved.accountId, onboardingUrl: opened.onboardingUrl, payoutsEnabled: saved.payoutsEnabled };
    return { status: existing ? 200 : 201, body };
  });

  routes.add({
    route: 'GET /v1/me/payout-account',
    summary: "The provider's payout account (404 before it is created)",
    responses: { 200: { description: 'the account', schema: PayoutAccountView } },
  }).handle(async ({ user }) => {
    const account = await findPayoutAccount(db, user.id);
    if (!account) throw new HttpProblem(404, 'no payout account yet: POST /v1/me/payout-account creates it', 'not-found');
    return { status: 200, body: { accountId: account.accountId, onboardingUrl: null, payoutsEnabled: account.payoutsEnabled } };
  });

  routes.add({
    route: 'POST /v1/projects/:projectId/milestones/:milestoneId/deposit-intent',
    summary: 'How the client pays what is due now (Stripe: a PaymentIntent to confirm with Stripe.js)',
    params: MilestoneParams,
    responses: { 201: { description: 'what to pay and how', schema: DepositInstructionsView } },
  }).handle(async ({ params, access: { project } }) => {
    requireEscrow(project);
    requireMilestone(project, params.milestoneId);
    const status = await temporal.workflow.getHandle(milestoneWorkflowId(params.milestoneId)).query(statusQuery);
    if (status.dueNow <= 0) throw new HttpProblem(409, `nothing is due on this milestone (${status.state})`, 'nothing-due');
    const base = { projectId: project.id, milestoneId: params.milestoneId, amount: status.dueNow, currency: project.currency };
    if (payments.rail !== 'stripe') {
      return { status: 201, body: await payments.depositInstructions({ ...base, idempotencyKey: `deposit:${params.milestoneId}` }) };
    }
    const open = await openDepositIntent(db, params.milestoneId);
    if (open && open.amount === status.dueNow) {
      return { status: 201, body: { provider: 'stripe' as const, paymentIntentId: open.paymentIntentId, clientSecret: open.clientSecret, amount: open.amount, currency: open.currency } };
    }
    // The n-th intent of the milestone: a retried request makes the same one at Stripe, a changed amount a new one.
    const n = (await countDepositIntents(db, params.milestoneId)) + 1;
    const made = await payments.depositInstructions({ ...base, idempotencyKey: `deposit:${params.milestoneId}:${n}:${status.dueNow}`, replaces: open?.paymentIntentId });
    if (made.provider !== 'stripe') throw new Error(`the ${payments.rail} rail answered ${made.provider} instructions`);
    await saveDepositIntent(db, { paymentIntentId: made.paymentIntentId, projectId: project.id, milestoneId: params.milestoneId, amount: made.amount, currency: project.currency, clientSecret: made.clientSecret }, open?.paymentIntentId);
    return { status: 201, body: made };
  });

  routes.add({
    route: 'GET /v1/me/incidents',
    summary: "The caller's payment incidents, newest first",
    query: MyIncidentsQuery,
    responses: { 200: { description: 'incidents', schema: IncidentList } },
  }).handle(async ({ user, query }) => ({ status: 200, body: { items: await listIncidents(db, { userId: user.id, limit: query.limit }) } }));

  routes.add({
    route: 'GET /v1/incidents',
    summary: 'Every payment incident, newest first (finance staff)',
    query: IncidentsQuery,
    responses: { 200: { description: 'incidents', schema: IncidentList } },
  }).handle(async ({ query }) => ({ status: 200, body: { items: await listIncidents(db, { state: query.state, limit: query.limit }) } }));
}
