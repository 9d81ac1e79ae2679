/** Amounts and dates as the CII XML and the PDF write them. */
import { ISO_4217_MINOR_UNITS } from '../../domain/currencies';
import { InvoiceDataError } from './model';

/** EN 16931 allows at most 2 decimals in an invoice's amounts (BR-DEC-*). */
const EN16931_MAX_DECIMALS = 2;

/** The currency's number of decimals, for a currency EN 16931 can invoice in. */
export function currencyDecimals(currency: string): number {
  const decimals = (ISO_4217_MINOR_UNITS as Record<string, number>)[currency];
  if (decimals === undefined) throw new InvoiceDataError(`unknown currency ${JSON.stringify(currency)}`);
  if (decimals > EN16931_MAX_DECIMALS) {
    throw new InvoiceDataError(`${currency} has ${decimals} decimals: EN 16931 amounts have at most 2 (BR-DEC-*)`);
  }
  return decimals;
}

/** Minor units as a decimal: 12345 → "123.45" (2 decimals), 1000 → "1000" (JPY). */
export function decimalAmount(minor: number, decimals: number): string {
  if (!Number.isSafeInteger(minor)) throw new InvoiceDataError(`amount ${minor} is not an integer of minor units`);
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor)).padStart(decimals + 1, '0');
  if (decimals === 0) return sign + digits;
  return `${sign}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

/**
 * A decimal amount of the XML back to minor units: "123.45" → 12345; undefined when it is not a plain decimal or
 * has non-zero digits past the currency's decimals.
 */
export function minorUnits(text: string, decimals: number): number | undefined {
  const m = /^\s*([+-]?)(\d+)(?:\.(\d*))?\s*$/.exec(text);
  if (!m) return undefined;
  const fraction = m[3] ?? '';
  if (/[1-9]/.test(fraction.slice(decimals))) return undefined;
  const value = Number(m[2] + fraction.slice(0, decimals).padEnd(decimals, '0'));
  if (!Number.isSafeInteger(value)) return undefined;
  return m[1] === '-' ? -value : value;
}

/** A VAT rate as CII writes it: 20 → "20", 5.5 → "5.5". */
export function decimalRate(ratePercent: number): string {
  if (!Number.isFinite(ratePercent) || ratePercent < 0 || ratePercent >= 100) {
    throw new InvoiceDataError(`VAT rate ${ratePercent} % is not a percentage`);
  }
  const text = ratePercent.toFixed(4).replace(/\.?0+$/, '');
  if (Number(text) !== ratePercent) throw new InvoiceDataError(`VAT rate ${ratePercent} % has more than 4 decimals`);
  return text;
}

const PARIS_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The Europe/Paris calendar day of an ISO date-time, as YYYY-MM-DD; a plain ISO date is that day. */
export function parisDay(iso: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) throw new InvoiceDataError(`${JSON.stringify(iso)} is not an ISO date`);
  return PARIS_DAY.format(instant);
}

/** UN/CEFACT date format 102: YYYYMMDD. */
export const format102 = (iso: string): string => parisDay(iso).replaceAll('-', '');

/** A French date: 15/03/2025. */
export function frenchDate(iso: string): string {
  const [y, m, d] = parisDay(iso).split('-');
  return `${d}/${m}/${y}`;
}

/** The instant a document is dated by (for the PDF's metadata): the date-time, or noon UTC of a plain date. */
export function documentInstant(iso: string): Date {
  const instant = new Date(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T12:00:00Z` : iso);
  if (Number.isNaN(instant.getTime())) throw new InvoiceDataError(`${JSON.stringify(iso)} is not an ISO date`);
  return instant;
}

/** A French amount: 1234567 EUR → "12 345,67 €" (no-break spaces). */
export function frenchAmount(minor: number, currency: string): string {
  const decimals = currencyDecimals(currency);
  const [units, fraction] = decimalAmount(Math.abs(minor), decimals).split('.');
  const grouped = units.replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  const symbol = currency === 'EUR' ? '€' : currency;
  return `${minor < 0 ? '-' : ''}${grouped}${fraction ? `,${fraction}` : ''}\u00a0${symbol}`;
}

/** A French percentage: 20 → "20 %", 5.5 → "5,5 %". */
export const frenchRate = (ratePercent: number): string => `${decimalRate(ratePercent).replace('.', ',')}\u00a0%`;
