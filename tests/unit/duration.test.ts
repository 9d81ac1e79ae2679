import { loadConfig } from '../../lib/config';
import { PRODUCTION_IDENTITY } from '../helpers/fixtures';
import { parseDuration, parseSchedule } from '../../lib/duration';

test('durations in the units the contract names: 500ms, 90s, 15m, 36h, 2d', () => {
  expect(parseDuration('500ms')).toBe(500);
  expect(parseDuration('90s')).toBe(90_000);
  expect(parseDuration('15m')).toBe(900_000);
  expect(parseDuration('36h')).toBe(129_600_000);
  expect(parseDuration('2d')).toBe(172_800_000);
  for (const bad of ['', '2', 'd', '1.5d', '-1d', '2w', '2 d']) expect(() => parseDuration(bad)).toThrow(/invalid duration/);
});

test('schedules are increasing offsets', () => {
  expect(parseSchedule('2d,5d,9d,14d')).toEqual([2, 5, 9, 14].map((d) => d * 86_400_000));
  expect(parseSchedule('')).toEqual([]);
  expect(() => parseSchedule('5d,2d')).toThrow(/strictly increasing/);
});

test('settings: defaults, overrides, errors named, dev secrets refused in production', () => {
  const config = loadConfig({ DATABASE_URL: 'postgres://x/y' });
  expect(config).toMatchObject({ PORT: 3000, PAYMENT_PROVIDER: 'sandbox', PAYOUT_DELAY: 172_800_000, PAYOUT_CALENDAR: 'business' });
  expect(loadConfig({ DATABASE_URL: 'x', PAYOUT_DELAY: '90s', PORT: '8080' })).toMatchObject({ PAYOUT_DELAY: 90_000, PORT: 8080 });
  expect(() => loadConfig({ DATABASE_URL: 'x', PAYOUT_DELAY: 'soon', PAYMENT_PROVIDER: 'bank' })).toThrow(/PAYOUT_DELAY.*PAYMENT_PROVIDER|PAYMENT_PROVIDER.*PAYOUT_DELAY/);
  expect(() => loadConfig({ DATABASE_URL: 'x', NODE_ENV: 'production' })).toThrow(/dev secrets/);
  expect(
    loadConfig({ DATABASE_URL: 'x', NODE_ENV: 'production', AUTH_JWT_SECRET: 'p'.repeat(40), PAYMENTS_WEBHOOK_SECRET: 'w'.repeat(40), PAYLOAD_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32).toString('base64')}`, PAYMENT_PROVIDER: 'webhook', PAYMENT_ORDERS_URL: 'https://psp.example/orders', ...PRODUCTION_IDENTITY }).NODE_ENV,
  ).toBe('production');
});
