import type { Role } from '../domain/parties';

/** The resource a route acts on, found from its path parameter; `none` for the caller's own lists and creations. */
export type Resource = 'project' | 'dispute' | 'fee-invoice' | 'payment-request' | 'refund' | 'none';

/**
 * The caller's relation to the resource that the route requires, on top of the role:
 * - `self`: none; the route shows or acts on the caller's own data only.
 * - `creator`: a client creates a project only with themself as its client (403); the platform for anyone.
 * - `party`: the client or the provider of the (dispute's) project, or the user the resource belongs to.
 * - `party-or-staff`: a party, or a mediator or the platform (staff see every project and dispute).
 * - `staff`: any resource of the kind; the roles column says which staff.
 * - `other-party`: the party who did not make the proposal or amendment.
 * - `respondent`: the party the dispute (or a mediator's question) waits for.
 * - `declarer`: the party who declared the dispute.
 *
 * A caller without the relation a resource needs learns nothing of it: 404. `creator` and the last three depend on
 * the body or on the resource's state; they are checked by the handler or by the workflow, and refused with 403.
 */
export type Relation = 'self' | 'creator' | 'party' | 'party-or-staff' | 'staff' | 'other-party' | 'respondent' | 'declarer';

export interface BearerRule {
  auth: 'bearer';
  roles: readonly Role[];
  resource: Resource;
  relation: Relation;
}
export type AccessRule = BearerRule | { auth: 'signature' } | { auth: 'public' };

const party = ['client', 'provider'] as const;
const everyone = ['client', 'provider', 'mediator', 'platform'] as const;
const bearer = <R extends Resource>(roles: readonly Role[], resource: R, relation: Relation): BearerRule & { resource: R } => ({
  auth: 'bearer',
  roles,
  resource,
  relation,
});

/** Who may call each route: the single statement the router enforces and the authorisation tests are generated from. */
export const ACCESS_POLICY = {
  'POST /v1/projects': bearer(['platform', 'client'], 'none', 'creator'),
  'GET /v1/projects/:projectId': bearer(everyone, 'project', 'party-or-staff'),
  'GET /v1/projects/:projectId/payments': bearer(everyone, 'project', 'party-or-staff'),
  'GET /v1/projects/:projectId/milestones/:milestoneId': bearer(everyone, 'project', 'party-or-staff'),
  'GET /v1/projects/:projectId/milestones/:milestoneId/timeline': bearer(everyone, 'project', 'party-or-staff'),
  'POST /v1/projects/:projectId/milestones/:milestoneId/complete': bearer(['provider'], 'project', 'party'),
  'POST /v1/projects/:projectId/milestones/:milestoneId/release': bearer(['client'], 'project', 'party'),
  'POST /v1/projects/:projectId/milestones/:milestoneId/request-changes': bearer(['client'], 'project', 'party'),
  'POST /v1/projects/:projectId/milestones/:milestoneId/refunds': bearer(['provider'], 'project', 'party'),
  'POST /v1/projects/:projectId/bonuses': bearer(['client'], 'project', 'party'),
  'POST /v1/projects/:projectId/milestones/:milestoneId/cancel': bearer(party, 'project', 'party'),
  'POST /v1/projects/:projectId/milestones/:milestoneId/payment-requests': bearer(['provider'], 'project', 'party'),
  'GET /v1/projects/:projectId/milestones/:milestoneId/invoice-draft': bearer(['provider'], 'project', 'party'),
  'POST /v1/projects/:projectId/milestones/:milestoneId/disputes': bearer(party, 'project', 'party'),
  'GET /v1/projects/:projectId/amendments': bearer(everyone, 'project', 'party-or-staff'),
  'POST /v1/projects/:projectId/amendments': bearer(party, 'project', 'party'),
  'POST /v1/projects/:projectId/amendments/:amendmentId/accept': bearer(party, 'project', 'other-party'),
  'GET /v1/disputes/:disputeId': bearer(everyone, 'dispute', 'party-or-staff'),
  'POST /v1/disputes/:disputeId/responses': bearer(party, 'dispute', 'respondent'),
  'POST /v1/disputes/:disputeId/proposals': bearer(party, 'dispute', 'party'),
  'POST /v1/disputes/:disputeId/proposals/:proposalId/accept': bearer(party, 'dispute', 'other-party'),
  'POST /v1/disputes/:disputeId/withdraw': bearer(party, 'dispute', 'declarer'),
  'POST /v1/disputes/:disputeId/information-requests': bearer(['mediator'], 'dispute', 'staff'),
  'POST /v1/disputes/:disputeId/decision': bearer(['mediator'], 'dispute', 'staff'),
  'GET /v1/mediation/disputes': bearer(['mediator'], 'none', 'staff'),
  'POST /v1/codec/decode': bearer(['mediator', 'platform'], 'none', 'staff'),
  // an encryption oracle: whoever may encode can forge what workers accept; the platform only
  'POST /v1/codec/encode': bearer(['platform'], 'none', 'staff'),
  'GET /v1/me/notifications': bearer(everyone, 'none', 'self'),
  'GET /v1/me/payment-requests': bearer(['provider'], 'none', 'self'),
  'POST /v1/payment-requests/:paymentRequestId/retry': bearer(['provider'], 'payment-request', 'party'),
  'GET /v1/me/fee-invoices': bearer(party, 'none', 'self'),
  'GET /v1/fee-invoices/:invoiceId': bearer(['client', 'provider', 'platform'], 'fee-invoice', 'party-or-staff'),
  'POST /v1/refunds/:refundId/retry': bearer(['platform'], 'refund', 'staff'),
  'POST /v1/me/payout-account': bearer(['provider'], 'none', 'self'),
  'GET /v1/me/payout-account': bearer(['provider'], 'none', 'self'),
  'POST /v1/projects/:projectId/milestones/:milestoneId/deposit-intent': bearer(['client'], 'project', 'party'),
  'GET /v1/me/incidents': bearer(party, 'none', 'self'),
  'GET /v1/incidents': bearer(['platform'], 'none', 'staff'),
  'POST /v1/webhooks/payments': { auth: 'signature' },
  'POST /v1/webhooks/stripe': { auth: 'signature' },
  'GET /health': { auth: 'public' },
  'GET /ready': { auth: 'public' },
  'GET /openapi.json': { auth: 'public' },
  'GET /docs': { auth: 'public' },
  /** a static page: what it shows comes from the bearer routes, with the mediator's token */
  'GET /console': { auth: 'public' },
  /** public unless METRICS_TOKEN is set: then that bearer token, which is no user's */
  'GET /metrics': { auth: 'public' },
} as const satisfies Record<string, AccessRule>;

export type RouteKey = keyof typeof ACCESS_POLICY;
/** Routes called with a user's token, i.e. those the router's `ApiRoutes` registers. */
export type BearerRouteKey = { [K in RouteKey]: (typeof ACCESS_POLICY)[K] extends BearerRule ? K : never }[RouteKey];
export const BEARER_ROUTES = (Object.keys(ACCESS_POLICY) as RouteKey[]).filter(
  (k): k is BearerRouteKey => ACCESS_POLICY[k].auth === 'bearer',
);
export type ResourceOf<K extends BearerRouteKey> = (typeof ACCESS_POLICY)[K]['resource'];

export function splitRouteKey(key: RouteKey): { method: 'get' | 'post'; path: string } {
  const [method, path] = key.split(' ');
  return { method: method.toLowerCase() as 'get' | 'post', path };
}
