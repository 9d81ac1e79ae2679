import { ApplicationFailure } from '@temporalio/activity';
import { partyContact } from '../db/projects';
import type { Db } from '../db/pool';
import type { Party, PartyInfo, PartyRef } from '../domain/parties';

/**
 * A party's e-mail and name, read from the project: workflows carry ids only, so that no address is written into a
 * history. A workflow started before that carries them, and they are used as recorded.
 */
export async function contactOf(db: Db, projectId: string, ref: PartyRef, party: Party | undefined): Promise<PartyInfo> {
  if (ref.email !== undefined && ref.name !== undefined) return { id: ref.id, email: ref.email, name: ref.name };
  const contact = party && (await partyContact(db, projectId, party));
  // not a passing fault: a retry would read the same rows
  if (!contact || contact.id !== ref.id) {
    throw ApplicationFailure.nonRetryable(`project ${projectId} has no ${party ?? 'party'} ${ref.id}`, 'UnknownParty');
  }
  return contact;
}
