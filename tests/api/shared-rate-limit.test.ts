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

/** The pool, counting the statements sent through it. */
function counted(pool: Db): { db: Db; statements: () => number } {
  let n = 0;
  const db = new Proxy(pool, {
    get(target, prop, receiver) {
      if (prop !== 'query') return Reflect.get(target, prop, receiver) as unknown;
      return (...args: Parameters<Db['query']>) => {
        n += 1;
        return (target.query as (...a: unknown[]) => unknown)(...args);
      };
    },
  });
  return { db, statements: () => n };
}

test('a busy caller takes its tokens in leases: far fewer statements than requests, and still the capacity exactly across two processes', async () => {
  const window = 360_000_000; // refills nothing during the test
  const a = counted(db);
  const busy = new SharedTokenBuckets(a.db, 'address', 10_000, window);
  for (let i = 0; i < 300; i++) expect((await busy.take('198.51.100.1')).ok).toBe(true);
  // leases of 1, 2, 4… 64 tokens: a dozen statements (and the sweep of full buckets), not 300
  expect(a.statements()).toBeLessThanOrEqual(12);

  const processes = [new SharedTokenBuckets(db, 'address', 1_000, window), new SharedTokenBuckets(db, 'address', 1_000, window)];
  const outcomes = await Promise.all(Array.from({ length: 1_500 }, (_, i) => processes[i % 2].take('198.51.100.2')));
  const passed = outcomes.filter((o) => o.ok).length;
  // never more than the bucket holds; fewer by at most the two leases' unspent tokens (10 each at most)
  expect(passed).toBeLessThanOrEqual(1_000);
  expect(passed).toBeGreaterThanOrEqual(1_000 - 18);
  expect(outcomes.find((o) => !o.ok)).toMatchObject({ ok: false, retryAfterSeconds: expect.any(Number) });
});

test("an expired lease's unspent tokens go back to the shared bucket with the process's next statement", async () => {
  const window = 360_000_000;
  let now = Date.now();
  const first = new SharedTokenBuckets(db, 'user', 1_000, window, 2_000, () => now);
  const second = new SharedTokenBuckets(db, 'user', 1_000, window);
  // leases of 1, 2, 4 and 8 tokens, all spent; the 16th request leases 10 (1 % of the capacity) and spends one
  for (let i = 0; i < 16; i++) expect((await first.take('client:c-lease')).ok).toBe(true);
  let drained = 0;
  while ((await second.take('client:c-lease')).ok) drained += 1;
  expect(drained).toBe(1_000 - 16 - 9);
  now += 1_500; // the lease of the first process has expired with 9 tokens unspent
  expect((await first.take('client:c-lease')).ok).toBe(true);
  let after = 0;
  while ((await second.take('client:c-lease')).ok) after += 1;
  expect(after).toBe(8);
});
