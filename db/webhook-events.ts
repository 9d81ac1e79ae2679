import { claimIsAbandoned } from './api-instances';
import type { Db } from './pool';

/** However its process looks, an event claimed this long ago and not applied may be claimed again. */
const CLAIM_BACKSTOP_SECONDS = 120;

/**
 * Claims an event id for the API process `owner`. `claimed`: apply it (first delivery, or a claim whose process
 * stopped running it: applied again, which is safe because workflows dedupe event ids). `done`: applied before.
 * `in-flight`: another delivery of the same event is being applied right now.
 */
export async function claimWebhookEvent(
  db: Db,
  e: { id: string; type: string; payload: unknown },
  owner: string,
): Promise<'claimed' | 'in-flight' | 'done'> {
  const res = await db.query(
    `INSERT INTO webhook_events (id, type, payload, outcome, claimed_by, claimed_at) VALUES ($1, $2, $3, 'received', $4, now())
     ON CONFLICT (id) DO UPDATE SET claimed_by = EXCLUDED.claimed_by, claimed_at = now()
       WHERE webhook_events.outcome = 'received'
         AND (webhook_events.claimed_at < now() - make_interval(secs => ${CLAIM_BACKSTOP_SECONDS})
              OR ${claimIsAbandoned('webhook_events.claimed_by', '$4')})
     RETURNING 1`,
    [e.id, e.type, JSON.stringify(e.payload), owner],
  );
  if (res.rowCount === 1) return 'claimed';
  const { rows } = await db.query<{ outcome: string }>('SELECT outcome FROM webhook_events WHERE id = $1', [e.id]);
  if (!rows[0]) return 'in-flight'; // freed by a failed attempt this very moment: the next look claims it
  return rows[0].outcome === 'received' ? 'in-flight' : 'done';
}

/**
 * Records what applying the event did; false when another delivery recorded its outcome first (two processes may
 * both have applied it in the second after a database outage, when every process looks dead: the effect is once,
 * the workflows dedupe the event id, but only the first is the one that applied it).
 */
export async function setWebhookOutcome(db: Db, id: string, outcome: string): Promise<boolean> {
  const { rowCount } = await db.query(`UPDATE webhook_events SET outcome = $2 WHERE id = $1 AND outcome = 'received'`, [id, outcome]);
  return rowCount === 1;
}

/** Forgets an event whose processing failed before any effect, so the provider's redelivery is applied. */
export async function releaseWebhookEvent(db: Db, id: string): Promise<void> {
  await db.query(`DELETE FROM webhook_events WHERE id = $1 AND outcome = 'received'`, [id]);
}
