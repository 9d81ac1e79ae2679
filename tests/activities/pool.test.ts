import { checkOut, createPool, inTransaction, type Db } from '../../db/pool';
import { freshDatabase } from '../helpers/db';

let url: string;
let db: Db;
beforeAll(async () => {
  let first: Db;
  ({ db: first, url } = await freshDatabase());
  await first.end();
  db = createPool(url, 1);
});
afterAll(() => db?.end());

test('a pooled connection handed out again and again keeps one error listener, so a dropped connection fails its queries', async () => {
  for (let i = 0; i < 25; i++) await inTransaction(db, (tx) => tx.query('SELECT 1'));
  const client = await checkOut(db);
  try {
    expect(client.listenerCount('error')).toBe(1);
    // the server ends this connection: its next query fails, and the process goes on
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const other = createPool(url, 1);
    await other.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
    await other.end();
    await expect(client.query('SELECT 1')).rejects.toThrow();
  } finally {
    client.release(true);
  }
  expect((await db.query('SELECT 2 AS n')).rows[0].n).toBe(2);
});
