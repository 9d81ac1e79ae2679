import { claimIsAbandoned } from './api-instances';
import type { Db } from './pool';

export interface StoredResponse {
  status: number;
  contentType: string;
  body: string;
}

export type Claim =
  | { outcome: 'claimed' }
  | { outcome: 'replay'; response: StoredResponse }
  | { outcome: 'in-progress' }
  | { outcome: 'mismatch' };

export interface KeyRef {
  principal: string;
  key: string;
}

/** A 'done' key always holds its response: storeIdempotentResponse writes the three columns together. */
type KeyRecord =
  | { fingerprint: string; state: 'in_progress'; status: null; content_type: null; body: null }
  | { fingerprint: string; state: 'done'; status: number; content_type: string; body: string };

/**
 * Claims a key for a request with this fingerprint, for the API process `owner`. The INSERT is the lock: of two
 * concurrent requests exactly one claims it. An expired key is free again; a claim whose request is not running any
 * more (its process stopped beating, or it is `owner`'s own: see claimIsAbandoned) is taken over by the same request
 * only; `lockSeconds` bounds a claim whatever its owner says.
 */
export async function claimIdempotencyKey(
  db: Db,
  ref: KeyRef & { fingerprint: string; ttlSeconds: number; lockSeconds: number; owner: string },
): Promise<Claim> {
  const claimed = await db.query(
    `INSERT INTO idempotency_keys (principal, key, fingerprint, state, expires_at, owner)
     VALUES ($1, $2, $3, 'in_progress', now() + make_interval(secs => $4), $6)
     ON CONFLICT (principal, key) DO UPDATE
       SET fingerprint = EXCLUDED.fingerprint, state = 'in_progress', status = NULL, content_type = NULL, body = NULL,
           created_at = now(), locked_at = now(), expires_at = EXCLUDED.expires_at, owner = EXCLUDED.owner
       WHERE idempotency_keys.expires_at < now()
          OR (idempotency_keys.state = 'in_progress' AND idempotency_keys.fingerprint = EXCLUDED.fingerprint
              AND (idempotency_keys.locked_at < now() - make_interval(secs => $5)
                   OR ${claimIsAbandoned('idempotency_keys.owner', '$6')}))
     RETURNING 1`,
    [ref.principal, ref.key, ref.fingerprint, ref.ttlSeconds, ref.lockSeconds, ref.owner],
  );
  if (claimed.rowCount === 1) return { outcome: 'claimed' };
  const { rows } = await db.query<KeyRecord>(
    'SELECT fingerprint, state, status, content_type, body FROM idempotency_keys WHERE principal = $1 AND key = $2',
    [ref.principal, ref.key],
  );
  const row = rows[0];
  if (!row) return { outcome: 'in-progress' };
  if (row.fingerprint !== ref.fingerprint) return { outcome: 'mismatch' };
  if (row.state === 'in_progress') return { outcome: 'in-progress' };
  return { outcome: 'replay', response: { status: row.status, contentType: row.content_type, body: row.body } };
}

/** Stores the answer; false when another attempt of the same request stored one first (that one is the answer). */
export async function storeIdempotentResponse(db: Db, ref: KeyRef, response: StoredResponse): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE idempotency_keys SET state = 'done', status = $3, content_type = $4, body = $5
     WHERE principal = $1 AND key = $2 AND state = 'in_progress'`,
    [ref.principal, ref.key, response.status, response.contentType, response.body],
  );
  return rowCount === 1;
}

export async function storedResponse(db: Db, ref: KeyRef): Promise<StoredResponse | undefined> {
  const { rows } = await db.query<{ status: number; content_type: string; body: string }>(
    `SELECT status, content_type, body FROM idempotency_keys WHERE principal = $1 AND key = $2 AND state = 'done'`,
    [ref.principal, ref.key],
  );
  return rows[0] && { status: rows[0].status, contentType: rows[0].content_type, body: rows[0].body };
}

/** Frees a key whose request failed for a reason of ours (5xx): the client may retry with it. */
export async function releaseIdempotencyKey(db: Db, ref: KeyRef): Promise<void> {
  await db.query(`DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2 AND state = 'in_progress'`, [ref.principal, ref.key]);
}

export async function purgeExpiredIdempotencyKeys(db: Db): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM idempotency_keys WHERE expires_at < now()');
  return rowCount ?? 0;
}
