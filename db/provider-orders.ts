import type { Db } from './pool';

/** The try an order is at (1 until the provider refuses it for now). */
export async function currentTry(db: Db, orderKey: string): Promise<number> {
  const { rows } = await db.query<{ tries: number }>('SELECT tries FROM provider_orders WHERE order_key = $1', [orderKey]);
  return rows[0]?.tries ?? 1;
}

/** The provider refused try `tried`: the next one gets a fresh key. Idempotent for a retried activity. */
export async function nextTry(db: Db, orderKey: string, tried: number): Promise<void> {
  await db.query(
    `INSERT INTO provider_orders (order_key, tries) VALUES ($1, $2)
     ON CONFLICT (order_key) DO UPDATE SET tries = greatest(provider_orders.tries, EXCLUDED.tries)`,
    [orderKey, tried + 1],
  );
}

/** The source the order's first try chose (`choose` runs only then): every retry draws on the same money. */
export async function pinnedSource(db: Db, orderKey: string, choose: () => Promise<string | undefined>): Promise<string | undefined> {
  const pinned = await db.query<{ source: string | null }>('SELECT source FROM provider_orders WHERE order_key = $1', [orderKey]);
  if (pinned.rows[0]?.source) return pinned.rows[0].source;
  const chosen = await choose();
  if (!chosen) return undefined;
  const { rows } = await db.query<{ source: string }>(
    `INSERT INTO provider_orders (order_key, source) VALUES ($1, $2)
     ON CONFLICT (order_key) DO UPDATE SET source = coalesce(provider_orders.source, EXCLUDED.source)
     RETURNING source`,
    [orderKey, chosen],
  );
  return rows[0].source;
}
