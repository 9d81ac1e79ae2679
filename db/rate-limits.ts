import type { Db } from './pool';

export type Taken = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Tokens taken from a bucket: at least one, or none and when to retry. */
export type Granted = { granted: number } | { granted: 0; retryAfterSeconds: number };

/**
 * Takes up to `want` tokens from `key`'s bucket of `capacity` tokens refilled evenly over `windowMs`, in one statement
 * that every API process shares (GCRA): each token taken moves the key's theoretical arrival time one emission
 * interval ahead, and no more are taken than keep it within one window of now. The count is computed from the locked
 * row, so concurrent statements never take more than the bucket holds. `giveBack` tokens taken earlier and not spent
 * are returned first, even when none can be taken. The database's clock is the only one, so replicas never disagree on time.
 */
export async function takeTokens(db: Db, key: string, want: number, capacity: number, windowMs: number, giveBack = 0): Promise<Granted> {
  const emission = windowMs / capacity / 1000;
  const window = windowMs / 1000;
  const base = `GREATEST(r.tat - make_interval(secs => $2::float8 * $5::int), now())`;
  // how many emissions fit between the bucket's time and one window from now (a hair of slack for float rounding)
  const fits = (tat: string) => `floor(EXTRACT(EPOCH FROM now() + make_interval(secs => $3::float8) - ${tat})::float8 / $2::float8 + 1e-9)::int`;
  const { rows } = await db.query<{ granted: number; ahead: number }>(
    `WITH up AS (
       INSERT INTO rate_limits AS r (key, tat, granted)
         VALUES ($1, now() + make_interval(secs => $2::float8 * LEAST($4::int, ${fits('now()')})), LEAST($4::int, ${fits('now()')}))
       ON CONFLICT (key) DO UPDATE
         SET tat = ${base} + make_interval(secs => $2::float8 * LEAST($4::int, ${fits(base)})),
             granted = LEAST($4::int, ${fits(base)})
         WHERE ${fits(base)} >= 1 OR $5::int > 0
       RETURNING granted, EXTRACT(EPOCH FROM tat - now())::float8 AS ahead)
     SELECT granted, ahead FROM up
     UNION ALL
     SELECT 0, EXTRACT(EPOCH FROM tat - now())::float8 FROM rate_limits WHERE key = $1 AND NOT EXISTS (SELECT 1 FROM up)`,
    [key, emission, window, want, giveBack],
  );
  const row = rows[0];
  if (!row) return { granted: 1 };
  if (row.granted > 0) return { granted: row.granted };
  return { granted: 0, retryAfterSeconds: Math.max(1, Math.ceil(row.ahead - (window - emission))) };
}

/** Keys whose time is past carry no information (their bucket is full): forgotten. */
export async function forgetFullBuckets(db: Db): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM rate_limits WHERE tat < now()');
  return rowCount ?? 0;
}
