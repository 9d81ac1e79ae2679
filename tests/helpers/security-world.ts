import request from 'supertest';
import { ACCESS_POLICY, type BearerRouteKey } from '../../api/access-policy';
import type { Db } from '../../db/pool';
import type { Role } from '../../domain/parties';
import { projectBody, type ApiSystem } from './api-system';
import { CLIENT, PDF, PROVIDER, uniq } from './fixtures';
import { eventually } from './temporal';

/** Per role, a user who is a party to the world's resources and one who is not (staff have no party). */
export const IDENTITIES: Record<Role, { party: string; stranger: string }> = {
  client: { party: CLIENT.id, stranger: 'c-9' },
  provider: { party: PROVIDER.id, stranger: 'p-9' },
  mediator: { party: 'med-1', stranger: 'med-2' },
  platform: { party: 'plat-1', stranger: 'plat-2' },
};
export const ROLES: Role[] = ['client', 'provider', 'mediator', 'platform'];

/**
 * One project with a resource of every kind a route can name, made through the API: a dispute declared by the client
 * with the client's proposal (m0), a released milestone with its payment request and fee invoices (m1), a refund
 * after a double cancel (m2), a milestone awaiting deposit with an amendment the client proposed (m3).
 */
export interface World {
  projectId: string;
  milestones: string[];
  disputeId: string;
  proposalId: string;
  amendmentId: string;
  paymentRequestId: string;
  refundId: string;
  feeInvoices: { client: string; provider: string };
}

export async function buildWorld(sys: ApiSystem): Promise<World> {
  const as = (role: 'client' | 'provider' | 'platform') => sys.as(IDENTITIES[role].party, role);
  const created = await (await as('platform'))
    .post('/v1/projects')
    .send(projectBody({ commissionRate: 0.1, escrowFeeRate: 0.03, milestones: ['A', 'B', 'C', 'D'].map((title) => ({ title, amount: 10000 })) }));
  const projectId: string = created.body.id;
  const milestones: string[] = created.body.milestones.map((m: { id: string }) => m.id);
  const ms = (i: number) => `/v1/projects/${projectId}/milestones/${milestones[i]}`;
  const expectStatus = (res: request.Response, status: number) => {
    if (res.status !== status) throw new Error(`world: a step answered ${res.status} instead of ${status}: ${res.text}`);
    return res.body;
  };
  await Promise.all([0, 1, 2].map((i) => sys.fund(projectId, milestones[i])));

  const dispute = expectStatus(await (await as('client')).post(`${ms(0)}/disputes`).send({ reason: 'Retard', statement: 'Rien livré.' }), 201);
  const proposed = expectStatus(await (await as('client')).post(`/v1/disputes/${dispute.id}/proposals`).send({ providerAmount: 4000 }), 201);

  expectStatus(await (await as('provider')).post(`${ms(1)}/complete`), 200);
  expectStatus(await (await as('client')).post(`${ms(1)}/release`), 200);
  expectStatus(
    await (await as('provider')).post(`${ms(1)}/payment-requests`).attach('invoice', PDF, 'f.pdf').field('invoiceNumber', uniq('F')).field('amount', '10000'),
    201,
  );

  expectStatus(await (await as('client')).post(`${ms(2)}/cancel`), 202);
  expectStatus(await (await as('provider')).post(`${ms(2)}/cancel`), 200);

  const amendment = expectStatus(
    await (await as('client')).post(`/v1/projects/${projectId}/amendments`).send({ changes: [{ milestoneId: milestones[3], amount: 12000 }] }),
    201,
  );

  const { paymentRequestId, refundId, feeInvoices } = await eventually(
    async () => {
      const pr = await sys.db.query('SELECT id FROM payment_requests WHERE milestone_id = $1 AND payout_amount IS NOT NULL', [milestones[1]]);
      const refund = await sys.db.query('SELECT id FROM refunds WHERE milestone_id = $1', [milestones[2]]);
      const fees = await sys.db.query('SELECT id, party FROM fee_invoices WHERE milestone_id = $1', [milestones[1]]);
      const byParty = Object.fromEntries(fees.rows.map((r) => [r.party, r.id]));
      if (!pr.rows[0] || !refund.rows[0] || !byParty.client || !byParty.provider) return undefined;
      return { paymentRequestId: pr.rows[0].id as string, refundId: refund.rows[0].id as string, feeInvoices: byParty as World['feeInvoices'] };
    },
    15000,
    'payment request, refund and fee invoices recorded',
  );
  // Each provider's payout account, so that reading it is allowed (404 before); several worlds share the providers.
  for (const provider of [IDENTITIES.provider.party, IDENTITIES.provider.stranger]) {
    const opened = await (await sys.as(provider, 'provider')).post('/v1/me/payout-account');
    expectStatus(opened, opened.status === 200 ? 200 : 201);
  }
  await settled(sys.db);
  return { projectId, milestones, disputeId: dispute.id, proposalId: proposed.proposalId, amendmentId: amendment.id, paymentRequestId, refundId, feeInvoices };
}

/** For each path parameter of the routes, the world's resources it can name. */
export function idsByParam(world: World): Record<string, string[]> {
  return {
    projectId: [world.projectId],
    milestoneId: world.milestones,
    disputeId: [world.disputeId],
    proposalId: [world.proposalId],
    amendmentId: [world.amendmentId],
    paymentRequestId: [world.paymentRequestId],
    refundId: [world.refundId],
    invoiceId: [world.feeInvoices.client, world.feeInvoices.provider],
  };
}

/** The route's path with the world's ids: the milestone awaiting deposit, the fee invoice addressed to the role's party. */
export function pathIn(world: World, key: BearerRouteKey, role: Role): string {
  const ids: Record<string, string[]> = { ...idsByParam(world), milestoneId: [world.milestones[3]], invoiceId: [role === 'client' ? world.feeInvoices.client : world.feeInvoices.provider] };
  return key.split(' ')[1].replace(/:(\w+)/g, (_m, name: string) => ids[name][0]);
}

/** For each POST route that takes a JSON body, one the route would carry out if the caller were allowed to. */
export function validBodies(world: World): Partial<Record<BearerRouteKey, Record<string, unknown>>> {
  return {
    'POST /v1/projects': projectBody(),
    'POST /v1/projects/:projectId/milestones/:milestoneId/disputes': { reason: 'Retard', statement: 'Rien livré.' },
    'POST /v1/projects/:projectId/milestones/:milestoneId/release': { amount: 1000 },
    'POST /v1/projects/:projectId/milestones/:milestoneId/request-changes': { message: 'Encore une modification.' },
    'POST /v1/projects/:projectId/milestones/:milestoneId/refunds': { amount: 1000, reason: 'Geste commercial' },
    'POST /v1/projects/:projectId/bonuses': { amount: 5000, message: 'Merci' },
    'POST /v1/projects/:projectId/amendments': { changes: [{ milestoneId: world.milestones[3], amount: 11000 }] },
    'POST /v1/disputes/:disputeId/responses': { statement: 'Voici ma réponse.' },
    'POST /v1/disputes/:disputeId/proposals': { providerAmount: 5000 },
    'POST /v1/disputes/:disputeId/information-requests': { party: 'client', question: 'Quelles dates ?' },
    'POST /v1/disputes/:disputeId/decision': { providerAmount: 5000, clientAmount: 5000, rationale: 'Partage.' },
    'POST /v1/codec/decode': { payloads: [] },
    'POST /v1/codec/encode': { payloads: [] },
  };
}

/**
 * The relations the world's state decides: the client declared the dispute and made the proposal and the amendment,
 * so the provider is the respondent and the other party, and the client the declarer.
 */
export const SIDE_IN_WORLD = { respondent: 'provider', 'other-party': 'provider', declarer: 'client' } as const;

/** What the access table says a caller gets: through the checks, or refused with 403 or 404. */
export function expectedAccess(key: BearerRouteKey, role: Role, isParty: boolean): 'allowed' | 403 | 404 {
  const rule = ACCESS_POLICY[key];
  if (!rule.roles.includes(role)) return 403;
  const staff = role === 'mediator' || role === 'platform';
  switch (rule.relation) {
    case 'self':
    case 'staff':
      return 'allowed';
    case 'creator':
      return isParty || staff ? 'allowed' : 403;
    case 'party-or-staff':
      return isParty || staff ? 'allowed' : 404;
    case 'party':
      return isParty ? 'allowed' : 404;
    case 'respondent':
    case 'other-party':
    case 'declarer':
      if (!isParty) return 404;
      return SIDE_IN_WORLD[rule.relation] === role ? 'allowed' : 403;
  }
}

/** Every table the API writes or reads money and state from; idempotency keys are a cache and left out. */
const STATE_TABLES = [
  'projects', 'milestones', 'milestone_events', 'ledger_entries', 'ledger_lines', 'invoices', 'payment_requests', 'payouts',
  'webhook_events', 'notifications', 'sent_emails', 'disputes', 'counters', 'fee_invoices', 'refunds',
  'payout_accounts', 'deposit_intents', 'incidents', 'provider_refunds', 'provider_orders',
];

/** A fingerprint of the ledger and the read models: equal fingerprints, same rows. */
export async function stateDigest(db: Db): Promise<Record<string, string>> {
  const digest: Record<string, string> = {};
  for (const table of STATE_TABLES) {
    const { rows } = await db.query(`SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM ${table} t`);
    digest[table] = `${rows[0].n}:${rows[0].h}`;
  }
  return digest;
}

/** Waits until the asynchronous work the world's actions started (notices, e-mails) has stopped changing the tables. */
export async function settled(db: Db): Promise<void> {
  let previous = '';
  let stableSince = 0;
  await eventually(
    async () => {
      const now = JSON.stringify(await stateDigest(db));
      if (now !== previous) {
        previous = now;
        stableSince = Date.now();
        return undefined;
      }
      return Date.now() - stableSince >= 1500 ? true : undefined;
    },
    30000,
    'the world stops changing',
  );
}
