import { linesFor, type Movement } from '../../domain/ledger';

const movements: Movement[] = [
  { type: 'deposit', toEscrow: 100, toFee: 0, excess: 0 },
  { type: 'deposit', toEscrow: 100, toFee: 3, excess: 7 },
  { type: 'deposit', toEscrow: 0, toFee: 0, excess: 7 },
  { type: 'release', amount: 100, commission: 10, escrowFee: 3 },
  { type: 'release', amount: 100, commission: 0, escrowFee: 0 },
  { type: 'refund', amount: 100, escrowFee: 3 },
  { type: 'released_refund', amount: 100, commission: 10, escrowFee: 3 },
  { type: 'released_refund', amount: 100, commission: 0, escrowFee: 0 },
  { type: 'refund_ordered', amount: 103 },
  { type: 'refund_paid', amount: 103 },
  { type: 'refund_failed', amount: 103 },
  { type: 'payout_ordered', amount: 90 },
  { type: 'payout_paid', amount: 90 },
  { type: 'payout_failed', amount: 90 },
];

test.each(movements)('$type balances with no zero line and one line per account', (movement) => {
  const lines = linesFor(movement);
  expect(lines.reduce((s, l) => s + l.amount, 0)).toBe(0);
  expect(lines.length).toBeGreaterThanOrEqual(2);
  expect(lines.every((l) => l.amount !== 0)).toBe(true);
  expect(new Set(lines.map((l) => l.account)).size).toBe(lines.length);
});

test('a deposit splits into escrow, escrow fee held and excess owed back', () => {
  expect(linesFor({ type: 'deposit', toEscrow: 100, toFee: 3, excess: 7 })).toEqual([
    { account: 'psp_cash', amount: 110 },
    { account: 'escrow', amount: -100 },
    { account: 'escrow_fee_held', amount: -3 },
    { account: 'refunds_due', amount: -7 },
  ]);
});

test('money given back from a release undoes its commission and escrow fee and is owed to the client', () => {
  expect(linesFor({ type: 'released_refund', amount: 1000, commission: 100, escrowFee: 30 })).toEqual([
    { account: 'provider_payable', amount: 900 },
    { account: 'fees_commission', amount: 100 },
    { account: 'fees_escrow', amount: 30 },
    { account: 'refunds_due', amount: -1030 },
  ]);
  expect(() => linesFor({ type: 'released_refund', amount: 10, commission: 11, escrowFee: 0 })).toThrow(/commission larger/);
});

test('a release pays the provider net of commission and earns the escrow fee', () => {
  expect(linesFor({ type: 'release', amount: 1000, commission: 100, escrowFee: 30 })).toEqual([
    { account: 'escrow', amount: 1000 },
    { account: 'provider_payable', amount: -900 },
    { account: 'fees_commission', amount: -100 },
    { account: 'escrow_fee_held', amount: 30 },
    { account: 'fees_escrow', amount: -30 },
  ]);
});

test('a refund returns the escrow and its fee to the client', () => {
  expect(linesFor({ type: 'refund', amount: 1000, escrowFee: 30 })).toEqual([
    { account: 'escrow', amount: 1000 },
    { account: 'refunds_due', amount: -1030 },
    { account: 'escrow_fee_held', amount: 30 },
  ]);
});

test('negative, fractional, empty and impossible movements are refused', () => {
  expect(() => linesFor({ type: 'payout_paid', amount: -5 })).toThrow(/negative/);
  expect(() => linesFor({ type: 'payout_paid', amount: 1.5 })).toThrow(/integer/);
  expect(() => linesFor({ type: 'payout_paid', amount: 0 })).toThrow(/does not balance/);
  expect(() => linesFor({ type: 'release', amount: 10, commission: 11, escrowFee: 0 })).toThrow(/larger than/);
});
