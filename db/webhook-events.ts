import type { Db } from './pool';

/**
 * Claims an event id. `done`: applied before, nothing more to do. `pending`: claimed before but never finished
 * (a crash between claim and effect): applied again, which is safe because workflows dedupe event ids.
 */
export async function claimWebhookEvent(db: Db, e: { id: string; type: string; payload: unknown }): Promise<'new' | 'pending' | 'done'> {
  const res = await db.query(
    `INSERT INTO webhook_events (id, type, payload, outcome) VALUES ($1, $2, $3, 'received') ON CONFLICT (id) DO NOTHING`,
    [e.id, e.type, JSON.stringify(e.payload)],
  );
  if (res.rowCount === 1) return 'new';
  const { rows } = await db.query<{ outcome: string }>('SELECT outcome FROM webhook_events WHERE id = $1', [e.id]);
  return rows[0]?.outcome === 'received' ? 'pending' : 'done';
}

export async function setWebhookOutcome(db: Db, id: string, outcome: string): Promise<void> {
  await db.query('UPDATE webhook_events SET outcome = $2 WHERE id = $1', [id, outcome]);
}

/** Forgets an event whose processing failed before any effect, so the provider's redelivery is applied. */
export async function releaseWebhookEvent(db: Db, id: string): Promise<void> {
  await db.query(`DELETE FROM webhook_events WHERE id = $1 AND outcome = 'received'`, [id]);
}
