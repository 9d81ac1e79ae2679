import type { Db } from './pool';

/** Claims an event id; false when it was seen before (the event then has no second effect). */
export async function claimWebhookEvent(db: Db, e: { id: string; type: string; payload: unknown }): Promise<boolean> {
  const res = await db.query(
    `INSERT INTO webhook_events (id, type, payload, outcome) VALUES ($1, $2, $3, 'received') ON CONFLICT (id) DO NOTHING`,
    [e.id, e.type, JSON.stringify(e.payload)],
  );
  return res.rowCount === 1;
}

export async function setWebhookOutcome(db: Db, id: string, outcome: string): Promise<void> {
  await db.query('UPDATE webhook_events SET outcome = $2 WHERE id = $1', [id, outcome]);
}

/** Forgets an event whose processing failed before any effect, so the provider's redelivery is applied. */
export async function releaseWebhookEvent(db: Db, id: string): Promise<void> {
  await db.query(`DELETE FROM webhook_events WHERE id = $1 AND outcome = 'received'`, [id]);
}
