/** What every workflow family shares: the task queue default, parties and the failure types the API maps to HTTP. */
export const DEFAULT_TASK_QUEUE = 'escrow';

export type Role = 'client' | 'provider' | 'mediator' | 'platform';
export type Party = 'client' | 'provider';

export interface Actor {
  userId: string;
  role: Role;
}

export interface PartyInfo {
  id: string;
  email: string;
  name: string;
}

/** ApplicationFailure types thrown by validators and handlers; api/problem.ts maps each to an HTTP status. */
export const FailureType = {
  /** the action is not allowed in the current state: 409 */
  InvalidState: 'InvalidState',
  /** the caller is not the party who may do this: 403 */
  NotAllowed: 'NotAllowed',
  /** refused by a business rule (amounts, formula): 422 */
  BusinessRule: 'BusinessRule',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];
