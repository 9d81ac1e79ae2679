import { setTimeout as sleep } from 'node:timers/promises';
import { claimWebhookEvent, releaseWebhookEvent, setWebhookOutcome } from '../db/webhook-events';
import type { Db } from '../db/pool';
import type { Bounded } from './deadline';
import type { Presence } from './presence';
import { HttpProblem } from './problem';

export interface ProviderEvent {
  id: string;
  type: string;
  payload: unknown;
}

/** Applies a payment provider's event at most once; returns the outcome its acknowledgement carries. */
export type ApplyOnce = (event: ProviderEvent, apply: () => Promise<string>) => Promise<string>;

/**
 * `duplicate` when the event was applied before, or by a concurrent delivery this one waited for (up to `waitMs`,
 * then 503: the provider sends it again); a failure forgets the claim, so that the provider's redelivery is applied.
 */
export function eventOnce({ db, presence, bounded, waitMs }: { db: Db; presence: Presence; bounded: Bounded; waitMs: number }): ApplyOnce {
  return (event, apply) =>
    presence.holding(`event:${event.id}`, async () => {
      const giveUp = Date.now() + waitMs;
      for (;;) {
        const claim = await claimWebhookEvent(db, event, presence.id);
        if (claim === 'done') return 'duplicate';
        if (claim === 'claimed') break;
        if (Date.now() > giveUp) {
          throw new HttpProblem(503, 'another delivery of this event is being applied; send it again', 'event-in-progress', undefined, { 'Retry-After': '1' });
        }
        await sleep(100);
      }
      let outcome: string;
      try {
        outcome = await bounded(apply);
      } catch (err) {
        await releaseWebhookEvent(db, event.id);
        throw err;
      }
      return (await setWebhookOutcome(db, event.id, outcome)) ? outcome : 'duplicate';
    });
}
