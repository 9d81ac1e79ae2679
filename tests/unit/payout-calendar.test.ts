import { frenchPublicHolidays, isBusinessDay, nextPayoutRun } from '../../domain/payout-calendar';

const at = (iso: string) => new Date(iso);

test('French public holidays, movable ones from Easter', () => {
  const h2026 = frenchPublicHolidays(2026);
  // Easter 2026 is April 5: Easter Monday April 6, Ascension May 14, Whit Monday May 25.
  for (const day of ['2026-01-01', '2026-04-06', '2026-05-01', '2026-05-08', '2026-05-14', '2026-05-25', '2026-07-14', '2026-08-15', '2026-11-01', '2026-11-11', '2026-12-25']) {
    expect(h2026.has(day)).toBe(true);
  }
  expect(h2026.size).toBe(11);
  expect(frenchPublicHolidays(2027).has('2027-03-29')).toBe(true); // Easter 2027 is March 28
});

test('weekends and holidays are not business days', () => {
  expect(isBusinessDay(at('2026-11-27T10:00:00Z'))).toBe(true); // Friday
  expect(isBusinessDay(at('2026-11-28T10:00:00Z'))).toBe(false); // Saturday
  expect(isBusinessDay(at('2026-12-25T10:00:00Z'))).toBe(false); // Christmas, a Friday
});

test('the payout run is the earliest time itself on a business day, else the next business day at 00:00 UTC', () => {
  expect(nextPayoutRun(at('2026-11-26T15:00:00Z'), 'business')).toEqual(at('2026-11-26T15:00:00Z'));
  expect(nextPayoutRun(at('2026-11-29T15:00:00Z'), 'business')).toEqual(at('2026-11-30T00:00:00Z'));
  // Friday Dec 25 (holiday) → Monday Dec 28
  expect(nextPayoutRun(at('2026-12-25T08:00:00Z'), 'business')).toEqual(at('2026-12-28T00:00:00Z'));
  // Saturday May 8 2027 (holiday on a weekend) → Monday May 10
  expect(nextPayoutRun(at('2027-05-08T08:00:00Z'), 'business')).toEqual(at('2027-05-10T00:00:00Z'));
  expect(nextPayoutRun(at('2026-11-29T15:00:00Z'), 'any')).toEqual(at('2026-11-29T15:00:00Z'));
});
