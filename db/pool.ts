import pg from 'pg';

// Money is bigint in SQL and fits a JS number far below 2^53 minor units: read int8 and sums as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export type Db = pg.Pool;

export function createPool(connectionString: string, max = 10): Db {
  const pool = new pg.Pool({ connectionString, max });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * A client taken out of the pool, whose connection dropping (a database restart) fails its queries instead of
 * crashing the process: pg emits 'error' on a checked-out client, and the pool listens only while it is idle.
 */
export async function checkOut(db: Db): Promise<pg.PoolClient> {
  const client = await db.connect();
  // once per connection: the pool hands the same clients out again, and a listener per checkout piled up on them
  // (npm run bench's MaxListenersExceededWarning)
  if (!guarded.has(client)) {
    guarded.add(client);
    client.on('error', () => undefined);
  }
  return client;
}

const guarded = new WeakSet<pg.PoolClient>();

/** Runs `fn` in one transaction on one client. */
export async function inTransaction<T>(db: Db, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await checkOut(db);
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Resolves when the database answers a query. */
export async function ping(db: Db): Promise<void> {
  await db.query('SELECT 1');
}
