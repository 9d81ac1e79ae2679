/**
 * When a payout run happens. Pure and deterministic: workflow code imports it.
 * Dates are taken in UTC; payout runs start at 00:00 UTC of a business day.
 */
const DAY_MS = 86_400_000;

function easterSunday(year: number): Date {
  // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return new Date(Date.UTC(year, month - 1, day));
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The eleven French public holidays (metropolitan France) of a year, as YYYY-MM-DD. */
export function frenchPublicHolidays(year: number): Set<string> {
  const easter = easterSunday(year).getTime();
  const fixed = ['01-01', '05-01', '05-08', '07-14', '08-15', '11-01', '11-11', '12-25'].map((md) => `${year}-${md}`);
  const movable = [1, 39, 50].map((offset) => isoDay(new Date(easter + offset * DAY_MS))); // Monday, Ascension, Whit Monday
  return new Set([...fixed, ...movable]);
}

export function isBusinessDay(day: Date): boolean {
  const weekday = day.getUTCDay();
  return weekday !== 0 && weekday !== 6 && !frenchPublicHolidays(day.getUTCFullYear()).has(isoDay(day));
}

/** The payout run at or after `earliest`: itself on `any`, else the start of the first business day not before it. */
export function nextPayoutRun(earliest: Date, calendar: 'business' | 'any'): Date {
  if (calendar === 'any' || isBusinessDay(earliest)) return earliest;
  let day = Date.UTC(earliest.getUTCFullYear(), earliest.getUTCMonth(), earliest.getUTCDate()) + DAY_MS;
  while (!isBusinessDay(new Date(day))) day += DAY_MS;
  return new Date(day);
}
