import { feeOn, rateToPpm } from '../../domain/fees';

test('rates become parts per million', () => {
  expect(rateToPpm(0.1)).toBe(100000);
  expect(rateToPpm(0.03)).toBe(30000);
  expect(rateToPpm(0.025)).toBe(25000);
  expect(() => rateToPpm(1.5)).toThrow();
  expect(() => rateToPpm(-0.1)).toThrow();
});

test('fees round half up to the cent', () => {
  expect(feeOn(120000, 100000)).toBe(12000);
  expect(feeOn(15, 100000)).toBe(2); // 1.5 → 2
  expect(feeOn(14, 100000)).toBe(1); // 1.4 → 1
  expect(feeOn(16667, 30000)).toBe(500); // 500.01 → 500
  expect(feeOn(16650, 30000)).toBe(500); // 499.5 → 500
  expect(feeOn(0, 30000)).toBe(0);
  expect(feeOn(1_000_000_000, 1_000_000)).toBe(1_000_000_000);
});

test('a fee split by subtraction keeps every cent', () => {
  for (const [amount, part] of [[10001, 3333], [99999, 1], [15, 7]]) {
    const whole = feeOn(amount, 30000);
    const earned = whole - feeOn(amount - part, 30000);
    const refunded = whole - earned;
    expect(earned + refunded).toBe(whole);
    expect(earned).toBeGreaterThanOrEqual(0);
  }
});
