import type { PoolClient } from 'pg';
import { withDisputeTexts, type DisputeState, type DisputeText, type DisputeView } from '../domain/dispute';
import { inTransaction, type Db } from './pool';

interface SnapshotRow {
  snapshot: DisputeView;
}

/**
 * Stores the workflow's snapshot of a dispute, with the texts it carries for the first time; an older snapshot never
 * overwrites a newer one, and a text is written once.
 */
export async function saveDisputeSnapshot(db: Db, d: DisputeView, texts: DisputeText[] = []): Promise<void> {
  await inTransaction(db, async (tx) => {
    if (texts.length > 0) {
      await tx.query(
        `INSERT INTO dispute_texts (dispute_id, key, body) SELECT $1, * FROM unnest($2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
        [d.id, texts.map((t) => t.key), texts.map((t) => t.text)],
      );
    }
    await upsertSnapshot(tx, d);
  });
}

async function upsertSnapshot(db: Db | PoolClient, d: DisputeView): Promise<void> {
  await db.query(
    `INSERT INTO disputes (id, project_id, milestone_id, state, opened_by, opened_at, escalated_at, closed_at, version, snapshot)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, escalated_at = EXCLUDED.escalated_at,
       closed_at = EXCLUDED.closed_at, version = EXCLUDED.version, snapshot = EXCLUDED.snapshot
     WHERE disputes.version < EXCLUDED.version`,
    [d.id, d.projectId, d.milestoneId, d.state, d.openedBy, d.openedAt, d.escalatedAt ?? null, d.closedAt ?? null, d.version, JSON.stringify(d)],
  );
}

export async function findDispute(db: Db, disputeId: string): Promise<DisputeView | undefined> {
  const { rows } = await db.query<SnapshotRow>('SELECT snapshot FROM disputes WHERE id = $1', [disputeId]);
  return rows[0] && (await withTexts(db, [rows[0].snapshot]))[0];
}

/** Lean files (from snapshots or a workflow's answer) with their texts put back. */
export async function withTexts(db: Db, files: DisputeView[]): Promise<DisputeView[]> {
  if (files.length === 0) return files;
  const { rows } = await db.query<{ dispute_id: string; key: string; body: string }>(
    'SELECT dispute_id, key, body FROM dispute_texts WHERE dispute_id = ANY($1)',
    [files.map((d) => d.id)],
  );
  const byDispute = new Map<string, Map<string, string>>();
  for (const r of rows) {
    if (!byDispute.has(r.dispute_id)) byDispute.set(r.dispute_id, new Map());
    byDispute.get(r.dispute_id)!.set(r.key, r.body);
  }
  return files.map((d) => withDisputeTexts(d, byDispute.get(d.id) ?? new Map()));
}

/** The SMA queue: oldest escalation first. */
export async function listDisputes(db: Db, state: DisputeState | undefined, limit: number): Promise<DisputeView[]> {
  const { rows } = await db.query<SnapshotRow>(
    `SELECT snapshot FROM disputes WHERE ($1::text IS NULL OR state = $1)
     ORDER BY coalesce(escalated_at, opened_at), id LIMIT $2`,
    [state ?? null, limit],
  );
  return withTexts(db, rows.map((r) => r.snapshot));
}
