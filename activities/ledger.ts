import { ApplicationFailure } from '@temporalio/common';
import { postMovement } from '../db/ledger';
import type { Db } from '../db/pool';
import { issueFeeDocumentsFor, type FeeDocumentDeps } from './fee-documents';
import { FailureType, LedgerRejected } from '../domain/failures';
import type { Movement, Posting } from '../domain/ledger';

/** Posts a movement; one the ledger's rules reject is a bug in its caller, which no retry can fix. */
export async function post(db: Db, posting: Posting): Promise<void> {
  try {
    await postMovement(db, posting);
  } catch (err) {
    if (err instanceof LedgerRejected) {
      throw ApplicationFailure.create({ message: err.message, type: FailureType.LedgerRejected, nonRetryable: true, cause: err });
    }
    throw err;
  }
}

/** A milestone's movement keyed by `<milestoneId>:<key>`, as the milestone workflow keys its own. */
export const postFor = (db: Db, key: string, scope: { projectId: string; milestoneId: string; currency: string }, movement: Movement) =>
  post(db, { idempotencyKey: `${scope.milestoneId}:${key}`, projectId: scope.projectId, milestoneId: scope.milestoneId, currency: scope.currency, movement });

export function ledgerActivities(deps: FeeDocumentDeps) {
  return {
    /** A movement of the milestone workflow, with the fee invoice or credit note it calls for (activities/fee-documents.ts). */
    async moveMoney(posting: Posting): Promise<void> {
      await post(deps.db, posting);
      await issueFeeDocumentsFor(deps, posting);
    },
  };
}
