import type { Db } from './pool';

/** The try an order is at (1 until the provider refuses it for now). */
export async function currentTry(db: Db, orderKey: string): Promise<number> {
  const { rows } = await db.query<{ tries: number }>('SELECT tries FROM order_tries WHERE order_key = $1', [orderKey]);
  return rows[0]?.tries ?? 1;
}

/** The provider refused try `tried`: the next one gets a fresh key. Idempotent for a retried activity. */
export async function nextTry(db: Db, orderKey: string, tried: number): Promise<void> {
  await db.query(
    `INSERT INTO order_tries (order_key, tries) VALUES ($1, $2)
     ON CONFLICT (order_key) DO UPDATE SET tries = greatest(order_tries.tries, EXCLUDED.tries)`,
    [orderKey, tried + 1],
  );
}
