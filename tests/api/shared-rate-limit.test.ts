import { SharedTokenBuckets } from '../../api/middleware/rate-limit';
import { createPool, type Db } from '../../db/pool';
import { freshDatabase } from '../helpers/db';

let db: Db;
beforeAll(async () => {
  ({ db } = await freshDatabase());
});
afterAll(() => db.end());

test('two API processes share one bucket per caller: the limit holds once across them, and says when to retry', async () => {
  const first = new SharedTokenBuckets(db, 'user', 4, 60_000);
  const second = new SharedTokenBuckets(db, 'user', 4, 60_000);
  const outcomes = [];
  for (let i = 0; i < 6; i++) outcomes.push(await (i % 2 === 0 ? first : second).take('client:c-1'));
  expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, true, false, false]);
  const refused = outcomes[4];
  expect(refused.ok === false && refused.retryAfterSeconds).toBeGreaterThanOrEqual(14);
  expect(refused.ok === false && refused.retryAfterSeconds).toBeLessThanOrEqual(15);
  expect((await first.take('client:c-2')).ok).toBe(true);
});

test('a burst of 300 requests from one caller to both processes takes exactly the capacity (they queue on one row)', async () => {
  const processes = [new SharedTokenBuckets(db, 'address', 100, 3_600_000), new SharedTokenBuckets(db, 'address', 100, 3_600_000)];
  const outcomes = await Promise.all(Array.from({ length: 300 }, (_, i) => processes[i % 2].take('203.0.113.9')));
  expect(outcomes.filter((o) => o.ok)).toHaveLength(100);
});

test('a bucket refills evenly over the window (the database clock decides)', async () => {
  const buckets = new SharedTokenBuckets(db, 'user', 2, 1_000);
  expect([(await buckets.take('k')).ok, (await buckets.take('k')).ok, (await buckets.take('k')).ok]).toEqual([true, true, false]);
  const deadline = Date.now() + 5_000;
  let again = false;
  while (!again && Date.now() < deadline) again = (await buckets.take('k')).ok;
  expect(again).toBe(true);
});

test('while PostgreSQL does not answer, each process limits on its own instead of failing or waiting', async () => {
  const unreachable = createPool('postgres://x:y@127.0.0.1:1/none', 1);
  try {
    const buckets = new SharedTokenBuckets(unreachable, 'user', 2, 60_000, 250);
    const started = Date.now();
    const outcomes = [await buckets.take('k'), await buckets.take('k'), await buckets.take('k')];
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false]);
    expect(Date.now() - started).toBeLessThan(2_000);
  } finally {
    await unreachable.end();
  }
});
