import { claimWebhookEvent, releaseWebhookEvent, setWebhookOutcome } from '../db/webhook-events';
import type { Db } from '../db/pool';

/**
 * Applies a payment provider's event at most once: `duplicate` when it was applied before; a failure forgets the
 * claim, so that the provider's redelivery is applied. Returns the outcome the acknowledgement carries.
 */
export async function applyOnce(db: Db, event: { id: string; type: string; payload: unknown }, apply: () => Promise<string>): Promise<string> {
  if ((await claimWebhookEvent(db, event)) === 'done') return 'duplicate';
  let outcome: string;
  try {
    outcome = await apply();
  } catch (err) {
    await releaseWebhookEvent(db, event.id);
    throw err;
  }
  await setWebhookOutcome(db, event.id, outcome);
  return outcome;
}
