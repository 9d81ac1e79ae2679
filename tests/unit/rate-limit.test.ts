import { TokenBuckets } from '../../api/middleware/rate-limit';

test('a bucket holds its capacity, refills evenly over the window and says when the next token comes', () => {
  let now = 0;
  const buckets = new TokenBuckets(2, 60_000, () => now);
  expect([buckets.take('a'), buckets.take('a')]).toEqual([{ ok: true }, { ok: true }]);
  expect(buckets.take('a')).toEqual({ ok: false, retryAfterSeconds: 30 });
  expect(buckets.take('b')).toEqual({ ok: true });
  now = 20_000;
  expect(buckets.take('a')).toEqual({ ok: false, retryAfterSeconds: 10 });
  now = 30_000;
  expect(buckets.take('a')).toEqual({ ok: true });
  now = 10 * 60_000;
  expect([buckets.take('a'), buckets.take('a'), buckets.take('a').ok]).toEqual([{ ok: true }, { ok: true }, false]);
});

test('memory stays bounded under many keys: refilled buckets go first, limited callers stay limited', () => {
  let now = 0;
  const buckets = new TokenBuckets(1, 60_000, () => now, 3);
  buckets.take('old');
  now = 60_000; // 'old' has refilled: it carries no information any more
  buckets.take('a');
  buckets.take('b');
  buckets.take('c');
  expect(buckets.size).toBe(3);
  expect([buckets.take('a').ok, buckets.take('b').ok]).toEqual([false, false]);
  for (let i = 0; i < 100; i++) buckets.take(`addr-${i}`);
  expect(buckets.size).toBeLessThanOrEqual(3);
});
