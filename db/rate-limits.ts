import type { Db } from './pool';

export type Taken = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Takes a token from `key`'s bucket of `capacity` tokens refilled evenly over `windowMs`, in one statement that
 * every API process shares (GCRA): a request is let through when, after it, the key's theoretical arrival time is
 * at most one window ahead of now. The database's clock is the only one, so replicas never disagree on time.
 */
export async function takeToken(db: Db, key: string, capacity: number, windowMs: number): Promise<Taken> {
  const emission = windowMs / capacity / 1000;
  const window = windowMs / 1000;
  const { rows } = await db.query<{ taken: boolean; ahead: number }>(
    `WITH up AS (
       INSERT INTO rate_limits AS r (key, tat) VALUES ($1, now() + make_interval(secs => $2))
       ON CONFLICT (key) DO UPDATE SET tat = GREATEST(r.tat, now()) + make_interval(secs => $2)
         WHERE GREATEST(r.tat, now()) + make_interval(secs => $2) <= now() + make_interval(secs => $3)
       RETURNING 1)
     SELECT true AS taken, 0::float8 AS ahead FROM up
     UNION ALL
     SELECT false, EXTRACT(EPOCH FROM tat - now())::float8 FROM rate_limits WHERE key = $1 AND NOT EXISTS (SELECT 1 FROM up)`,
    [key, emission, window],
  );
  const row = rows[0];
  if (!row || row.taken) return { ok: true };
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(row.ahead - (window - emission))) };
}

/** Keys whose time is past carry no information (their bucket is full): forgotten. */
export async function forgetFullBuckets(db: Db): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM rate_limits WHERE tat < now()');
  return rowCount ?? 0;
}
