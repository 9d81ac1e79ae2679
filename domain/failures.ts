/**
 * The kinds of refusal the system knows, by type rather than by message: workflows throw them as the type of a
 * non-retryable ApplicationFailure, activities decide on them whether to retry, the API maps them to HTTP.
 */
export const FailureType = {
  /** the action is not allowed in the current state: 409 */
  InvalidState: 'InvalidState',
  /** the caller is not the party who may do this: 403 */
  NotAllowed: 'NotAllowed',
  /** refused by a business rule (amounts, formula): 422 */
  BusinessRule: 'BusinessRule',
  /** the caller reached a bound on what it may append (domain/limits.ts): 409 */
  LimitReached: 'LimitReached',
  /** a chargeback on the milestone's deposit is open: its money is frozen until the bank decides: 409 */
  PaymentIncident: 'PaymentIncident',
  /** a ledger movement that cannot be posted (unbalanced, negative, not an integer): a bug, never retried */
  LedgerRejected: 'LedgerRejected',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Thrown by the ledger's rules on a movement that cannot be posted: retrying cannot make it balance. */
export class LedgerRejected extends Error {
  readonly type = FailureType.LedgerRejected;

  constructor(message: string) {
    super(message);
    this.name = 'LedgerRejected';
  }
}
