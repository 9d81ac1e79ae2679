import type { Db } from './pool';
import type { TimelineEvent } from '../domain/milestone';
import { inTransaction } from './pool';

/** Appends a timeline event and, when it changes the state, the milestone read model, in one transaction. */
/** Appends the event once per key; true when this call appended it. */
export async function recordMilestoneEvent(db: Db, e: TimelineEvent): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const inserted = await tx.query(
      `INSERT INTO milestone_events (milestone_id, key, type, actor, data) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (key) DO NOTHING`,
      [e.milestoneId, e.key, e.type, e.actor ?? null, JSON.stringify(e.data ?? {})],
    );
    if (inserted.rowCount && e.state) {
      await tx.query('UPDATE milestones SET state = $2, updated_at = now() WHERE id = $1', [e.milestoneId, e.state]);
    }
    return Boolean(inserted.rowCount);
  });
}

interface EventRecord {
  seq: number;
  type: string;
  actor: string | null;
  data: Record<string, unknown>;
  at: Date;
}

export async function listMilestoneEvents(db: Db, milestoneId: string) {
  const { rows } = await db.query<EventRecord>(
    'SELECT seq, type, actor, data, at FROM milestone_events WHERE milestone_id = $1 ORDER BY seq',
    [milestoneId],
  );
  return rows.map((r) => ({ seq: r.seq, type: r.type, actor: r.actor, data: r.data, at: r.at.toISOString() }));
}
