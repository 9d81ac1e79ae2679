import type { Db } from './pool';

/** A process that has not beaten for this long is presumed dead: what it claimed may be taken over. */
export const PRESUMED_DEAD_SECONDS = 3;

/**
 * SQL true when the claim held by `owner` is free for the process `$me`: its owner is not beating any more, or it
 * is this very process, which runs each claim in one request at a time (api/presence.ts): a claim of its own that it
 * is asked to run again is one it no longer runs.
 */
export const claimIsAbandoned = (owner: string, me: string) => `(
  ${owner} IS NULL OR ${owner} = ${me}
  OR NOT EXISTS (SELECT 1 FROM api_instances i WHERE i.id = ${owner} AND i.seen_at > now() - make_interval(secs => ${PRESUMED_DEAD_SECONDS})))`;

export async function beat(db: Db, id: string): Promise<void> {
  await db.query(
    'INSERT INTO api_instances (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET seen_at = now()',
    [id],
  );
}

/** A process stopping cleanly leaves at once; rows of dead processes are purged after a day. */
export async function leave(db: Db, id: string): Promise<void> {
  await db.query(`DELETE FROM api_instances WHERE id = $1 OR seen_at < now() - interval '1 day'`, [id]);
}
