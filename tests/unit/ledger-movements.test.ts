import { linesFor, type Movement } from '../../db/ledger-movements';

const movements: Movement[] = [
  { type: 'deposit', accepted: 100, excess: 0 },
  { type: 'deposit', accepted: 100, excess: 7 },
  { type: 'deposit', accepted: 0, excess: 7 },
  { type: 'release', amount: 100 },
  { type: 'refund', amount: 100 },
  { type: 'payout_ordered', amount: 100 },
  { type: 'payout_paid', amount: 100 },
  { type: 'payout_failed', amount: 100 },
];

test.each(movements)('$type balances with no zero line', (movement) => {
  const lines = linesFor(movement);
  expect(lines.reduce((s, l) => s + l.amount, 0)).toBe(0);
  expect(lines.length).toBeGreaterThanOrEqual(2);
  expect(lines.every((l) => l.amount !== 0)).toBe(true);
});

test('a deposit with excess credits escrow with the due part and refunds_due with the rest', () => {
  expect(linesFor({ type: 'deposit', accepted: 100, excess: 7 })).toEqual([
    { account: 'psp_cash', amount: 107 },
    { account: 'escrow', amount: -100 },
    { account: 'refunds_due', amount: -7 },
  ]);
});

test('negative, fractional and empty movements are refused', () => {
  expect(() => linesFor({ type: 'release', amount: -5 })).toThrow(/negative/);
  expect(() => linesFor({ type: 'release', amount: 1.5 })).toThrow(/integer/);
  expect(() => linesFor({ type: 'release', amount: 0 })).toThrow(/does not balance/);
});
