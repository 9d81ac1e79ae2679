/** Amounts are integers in the minor unit of their ISO 4217 currency (cents for EUR, yen for JPY, fils for KWD). */
import { ISO_4217_MINOR_UNITS, type CurrencyCode } from './currencies';

export const isCurrencyCode = (code: string): code is CurrencyCode => Object.hasOwn(ISO_4217_MINOR_UNITS, code);

/** Digits of a currency's minor unit (EUR 2, JPY 0, KWD 3), or undefined for a code ISO 4217 does not list. */
export const minorUnits = (currency: string): number | undefined => (isCurrencyCode(currency) ? ISO_4217_MINOR_UNITS[currency] : undefined);

/** The exact decimal text of an amount in minor units: 123456 with 2 digits is "1234.56", with 0 "123456". */
function decimal(minor: number, digits: number): string {
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${text}` : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/**
 * An amount as a person reads it, in French by default: `1 200,00 €`, `1 200 JPY`, `1,500 KWD` with every digit
 * of the currency's minor unit. Formatted from the exact decimal, never from a float. A code ISO 4217 does not list
 * is shown with two digits (projects in such a code can still be created today: docs/decisions.md, "Currencies").
 */
export function formatAmount(minor: number, currency: string, locale = 'fr-FR'): string {
  const digits = minorUnits(currency) ?? 2;
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
  // Intl formats a decimal string exactly; its TypeScript types only know numbers.
  return format.format(decimal(minor, digits) as unknown as number).replace(/\u202f|\u00a0/g, ' ');
}
