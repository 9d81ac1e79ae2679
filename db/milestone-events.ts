import type { Db } from './pool';
import type { TimelineEvent } from '../domain/milestone';

/** Appends a timeline event once per key and, when it changes the state, the milestone read model, in one statement; true when this call appended it. */
export async function recordMilestoneEvent(db: Db, e: TimelineEvent): Promise<boolean> {
  const { rows } = await db.query<{ inserted: boolean }>(
    `WITH appended AS (
       INSERT INTO milestone_events (milestone_id, key, type, actor, data) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (key) DO NOTHING RETURNING 1),
     moved AS (
       UPDATE milestones SET state = $6, updated_at = now()
       WHERE id = $1 AND $6::text IS NOT NULL AND EXISTS (SELECT 1 FROM appended) RETURNING 1)
     SELECT EXISTS (SELECT 1 FROM appended) AS inserted`,
    [e.milestoneId, e.key, e.type, e.actor ?? null, JSON.stringify(e.data ?? {}), e.state ?? null],
  );
  return rows[0].inserted;
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
