import type { DisputeState, DisputeView } from '../domain/dispute';
import type { Db } from './pool';

interface SnapshotRow {
  snapshot: DisputeView;
}

/** Stores the workflow's snapshot of a dispute; an older snapshot never overwrites a newer one. */
export async function saveDisputeSnapshot(db: Db, d: DisputeView): Promise<void> {
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
  return rows[0]?.snapshot;
}

/** The SMA queue: oldest escalation first. */
export async function listDisputes(db: Db, state: DisputeState | undefined, limit: number): Promise<DisputeView[]> {
  const { rows } = await db.query<SnapshotRow>(
    `SELECT snapshot FROM disputes WHERE ($1::text IS NULL OR state = $1)
     ORDER BY coalesce(escalated_at, opened_at), id LIMIT $2`,
    [state ?? null, limit],
  );
  return rows.map((r) => r.snapshot);
}
