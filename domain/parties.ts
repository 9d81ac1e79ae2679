import type { Company } from './legal-identity';

/** Who acts on a project: its two parties, and the staff who mediate or run the marketplace. */
export const ROLES = ['client', 'provider', 'mediator', 'platform'] as const;
export type Role = (typeof ROLES)[number];
export type Party = 'client' | 'provider';

/**
 * A user id as the identity provider gives it (the token's `sub`) and projects name their parties with: Keycloak's
 * and Cognito's UUIDs, Auth0's `auth0|…` and `google-oauth2|…`, Entra ID's and Okta's opaque ids.
 */
export const USER_ID = /^[A-Za-z0-9_.:@|-]{1,128}$/;
export const USER_ID_RULE = 'a user id is 1 to 128 letters, digits or "_", "-", ".", ":", "@", "|"';

export interface Actor {
  userId: string;
  role: Role;
}

export interface PartyInfo {
  id: string;
  email: string;
  name: string;
  /** a business's legal details; without them the party is a consumer */
  company?: Company;
}

/**
 * What a workflow carries of a party: its id, never its e-mail or name (they stay in PostgreSQL and activities look
 * them up). Workflows started before issue 15 carry both: their recorded inputs are what they are.
 */
export type PartyRef = Pick<PartyInfo, 'id'> & Partial<Omit<PartyInfo, 'id' | 'company'>>;

/** The caller's side in a project, if they are one of its two parties: the role must match the user as well. */
export function partyOf(actor: Actor, parties: { client: { id: string }; provider: { id: string } }): Party | undefined {
  if (actor.role === 'client' && actor.userId === parties.client.id) return 'client';
  if (actor.role === 'provider' && actor.userId === parties.provider.id) return 'provider';
  return undefined;
}

export const otherParty = (party: Party): Party => (party === 'client' ? 'provider' : 'client');

/** Mediators and the platform see every project and dispute. */
export const isStaff = (role: Role): boolean => role === 'mediator' || role === 'platform';
