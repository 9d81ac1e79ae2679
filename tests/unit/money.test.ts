import { ISO_4217_MINOR_UNITS } from '../../domain/currencies';
import { formatAmount, isCurrencyCode, minorUnits } from '../../domain/money';

test('amounts are written the French way, with every digit of the currency minor unit', () => {
  expect(formatAmount(120000, 'EUR')).toBe('1 200,00 €');
  expect(formatAmount(5, 'EUR')).toBe('0,05 €');
  expect(formatAmount(120000, 'JPY')).toBe('120 000 JPY');
  expect(formatAmount(1500, 'KWD')).toBe('1,500 KWD');
  expect(formatAmount(12345, 'CLF')).toBe('1,2345 CLF');
  expect(formatAmount(-250, 'EUR')).toBe('-2,50 €');
});

test('formatting is exact where a float would not be: the largest accepted amount keeps its last cent', () => {
  expect(formatAmount(999_999_999, 'EUR')).toBe('9 999 999,99 €');
  expect(formatAmount(100_000_001, 'EUR')).toBe('1 000 000,01 €');
});

test('the ISO 4217 table: minor units per code, current codes only', () => {
  expect([minorUnits('EUR'), minorUnits('JPY'), minorUnits('BHD'), minorUnits('UYW'), minorUnits('XOF')]).toEqual([2, 0, 3, 4, 0]);
  for (const withdrawn of ['HRK', 'BGN', 'SLL', 'ZWL', 'CUC', 'VEF', 'XAU', 'XXX']) expect([withdrawn, isCurrencyCode(withdrawn)]).toEqual([withdrawn, false]);
  for (const current of ['SLE', 'ZWG', 'VES', 'XCG', 'MRU', 'STN']) expect([current, isCurrencyCode(current)]).toEqual([current, true]);
  expect(minorUnits('ABC')).toBeUndefined();
  expect(isCurrencyCode('constructor')).toBe(false);
  for (const [code, digits] of Object.entries(ISO_4217_MINOR_UNITS)) {
    expect([code, /^[A-Z]{3}$/.test(code), [0, 2, 3, 4].includes(digits)]).toEqual([code, true, true]);
    expect(formatAmount(1, code)).toMatch(digits === 0 ? /1/ : new RegExp(`0,${'0'.repeat(digits - 1)}1`));
  }
});

test('a code ISO 4217 does not list is shown with two digits, as before the table', () => {
  expect(formatAmount(120000, 'ABC')).toBe('1 200,00 ABC');
});
