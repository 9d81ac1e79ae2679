/**
 * Who a business is, for its invoices: legal name, SIREN (France's 9-digit company number), VAT number, address.
 * Pure: the API validates parties' companies with it, the settings validate the platform's own identity.
 */
export interface PostalAddress {
  line: string;
  postcode: string;
  city: string;
  /** ISO 3166-1 alpha-2 */
  country: string;
}

export interface Company {
  legalName: string;
  siren?: string;
  vatNumber?: string;
  address: Omit<PostalAddress, 'country'>;
  country: string;
}

/** The platform as the seller on its documents, as the settings said when each was issued. */
export interface SellerIdentity {
  legalName: string;
  address: PostalAddress;
  siren: string;
  vatNumber: string;
  /** "SAS au capital de …, RCS …", where set */
  legalInfo?: string;
}

/** A SIREN is 9 digits whose Luhn sum is a multiple of 10 (INSEE's check key). */
export function isValidSiren(siren: string): boolean {
  if (!/^\d{9}$/.test(siren)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let d = Number(siren[8 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** A SIREN as it is printed: 123 456 782. */
export const formatSiren = (siren: string): string => siren.replace(/(\d{3})(\d{3})(\d{3})/, '$1 $2 $3');

/** The French intra-community VAT number of a SIREN: FR, a 2-digit key (12 + 3 × (SIREN mod 97)) mod 97, the SIREN. */
export function frenchVatNumber(siren: string): string {
  const key = (12 + 3 * (Number(siren) % 97)) % 97;
  return `FR${String(key).padStart(2, '0')}${siren}`;
}

/** A French VAT number whose key matches its SIREN; other countries' numbers are only checked for shape. */
export function isPlausibleVatNumber(vat: string): boolean {
  if (!/^[A-Z]{2}[0-9A-Z+*.]{2,13}$/.test(vat)) return false;
  if (!vat.startsWith('FR')) return true;
  const siren = vat.slice(4);
  return isValidSiren(siren) && frenchVatNumber(siren) === vat;
}

/** The 27 member states of the European Union (ISO alpha-2; Greece is GR here, EL only in VAT numbers). */
export const EU_COUNTRIES: readonly string[] = [
  'AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL',
  'PL', 'PT', 'RO', 'SE', 'SI', 'SK',
];

// Region codes the runtime's ICU names that ISO 3166-1 does not assign to a country: former, reserved, user-assigned
// and grouping codes.
const NOT_ISO_COUNTRIES = new Set([
  'AC', 'AN', 'BU', 'CP', 'CQ', 'CS', 'DD', 'DG', 'DY', 'EA', 'EU', 'EZ', 'FX', 'HV', 'IC', 'NH', 'QO', 'RH', 'SU', 'TA', 'TP',
  'UK', 'UN', 'VD', 'XA', 'XB', 'XK', 'YD', 'YU', 'ZR', 'ZZ',
]);
const REGION_NAMES = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

/** Whether `code` is an ISO 3166-1 alpha-2 country code (FR, DE, GB; not UK, EU or EL). */
export const isIsoCountry = (code: string): boolean => /^[A-Z]{2}$/.test(code) && !NOT_ISO_COUNTRIES.has(code) && REGION_NAMES.of(code) !== undefined;

/**
 * The prefix a business's VAT number must start with: its country's (EL for Greece; FR for Monaco, which is in the
 * French VAT territory), for the EU and Monaco; undefined elsewhere (a Swiss or British number has its own shape).
 */
export function vatPrefixOf(country: string): string | undefined {
  if (country === 'GR') return 'EL';
  if (country === 'MC') return 'FR';
  return EU_COUNTRIES.includes(country) ? country : undefined;
}

/** "1 rue de la Paix, 75002 Paris" or "…, 75002 Paris, FR": a one-line setting read as an address (France unless said). */
export function parsePostalAddress(text: string): PostalAddress {
  const m = /^\s*(.+?),\s*([0-9A-Z][0-9A-Z -]{2,9}?)\s+([^,]+?)\s*(?:,\s*([A-Z]{2}))?\s*$/.exec(text);
  if (!m) throw new Error(`"${text}" is not an address of the form "<street>, <postcode> <city>[, <country code>]"`);
  return { line: m[1], postcode: m[2], city: m[3], country: m[4] ?? 'FR' };
}
