import { findDispute } from '../db/disputes';
import { findFeeInvoice, type FeeInvoiceRow } from '../db/fee-invoices';
import { findPaymentRequest } from '../db/payment-requests';
import type { Db } from '../db/pool';
import { findProject, type ProjectRow } from '../db/projects';
import { findRefund } from '../db/refunds';
import type { DisputeView } from '../domain/dispute';
import { isStaff, partyOf } from '../domain/parties';
import type { BearerRule, Resource } from './access-policy';
import { actorOf, type AuthUser } from './middleware/auth';
import { HttpProblem } from './problem';

/** What the guard loaded for a route, by the kind of resource the access table names. */
export interface Resources {
  project: { project: ProjectRow };
  dispute: { dispute: DisputeView; project: ProjectRow };
  'fee-invoice': { feeInvoice: FeeInvoiceRow };
  'payment-request': { paymentRequest: NonNullable<Awaited<ReturnType<typeof findPaymentRequest>>> };
  refund: { refund: NonNullable<Awaited<ReturnType<typeof findRefund>>> };
  none: Record<string, never>;
}

/** Which path parameter names the resource, its loader, and whether the caller is a party to it. */
interface Finder<R> {
  param: string;
  load(db: Db, id: string): Promise<R | undefined>;
  isParty(user: AuthUser, found: R): boolean;
}

/** A loader that names what it found, so handlers receive `{ project }`, `{ refund }`… */
const named =
  <N extends string, R>(name: N, find: (db: Db, id: string) => Promise<R | undefined>) =>
  async (db: Db, id: string) => {
    const found = await find(db, id);
    return found === undefined ? undefined : ({ [name]: found } as Record<N, R>);
  };

const FINDERS: { [K in Exclude<Resource, 'none'>]: Finder<Resources[K]> } = {
  project: {
    param: 'projectId',
    load: named('project', findProject),
    isParty: (user, { project }) => partyOf(actorOf(user), project) !== undefined,
  },
  dispute: {
    param: 'disputeId',
    load: async (db, id) => {
      const dispute = await findDispute(db, id);
      const project = dispute && (await findProject(db, dispute.projectId));
      return dispute && project && { dispute, project };
    },
    isParty: (user, { project }) => partyOf(actorOf(user), project) !== undefined,
  },
  'fee-invoice': {
    param: 'invoiceId',
    load: named('feeInvoice', findFeeInvoice),
    isParty: (user, { feeInvoice }) => feeInvoice.userId === user.id,
  },
  'payment-request': {
    param: 'paymentRequestId',
    load: named('paymentRequest', findPaymentRequest),
    isParty: (user, { paymentRequest }) => user.role === 'provider' && paymentRequest.provider_id === user.id,
  },
  refund: {
    param: 'refundId',
    load: named('refund', findRefund),
    isParty: () => false,
  },
};

/**
 * Applies a route's rule to the caller (already checked for its role): loads the resource and refuses with 404 when
 * it does not exist or the caller lacks the relation, so a stranger cannot tell the two apart.
 */
export async function resolveAccess<R extends Resource>(
  db: Db,
  user: AuthUser,
  rule: BearerRule & { resource: R },
  params: Record<string, string>,
): Promise<Resources[R]> {
  const resource: Resource = rule.resource;
  if (resource === 'none') return {} as Resources[R];
  const finder = FINDERS[resource] as Finder<Resources[R]>;
  const id = params[finder.param];
  const found = await finder.load(db, id);
  const allowed =
    found !== undefined &&
    (rule.relation === 'staff' || rule.relation === 'self' || rule.relation === 'creator' ||
      finder.isParty(user, found) || (rule.relation === 'party-or-staff' && isStaff(user.role)));
  if (!allowed) throw new HttpProblem(404, `no ${rule.resource.replace('-', ' ')} ${id}`, 'not-found');
  return found;
}

/** For money operations: the project must use the R0 formula, where the platform holds the money. */
export function requireEscrow(project: ProjectRow): void {
  if (project.formula !== 'r0') {
    throw new HttpProblem(
      422,
      'this project uses the basic formula: the platform does not handle its payment, which is settled directly between client and provider',
      'payment-not-handled',
    );
  }
}

export function requireMilestone(project: ProjectRow, milestoneId: string) {
  const milestone = project.milestones.find((m) => m.id === milestoneId);
  if (!milestone) throw new HttpProblem(404, `no milestone ${milestoneId} in project ${project.id}`, 'not-found');
  return milestone;
}
