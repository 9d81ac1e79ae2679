import { EU_COUNTRIES, type Company } from './legal-identity';

/**
 * The VAT on the platform's fees (services supplied from France). The fees are the amounts charged: VAT, where it
 * applies, is inside them. Cases (docs/decisions.md, issue 16):
 *   - a consumer (no company), wherever they live, or a business in France or Monaco (inside the French VAT
 *     territory): French VAT at VAT_RATE (CGI art. 259 B);
 *   - a business elsewhere in the EU with a VAT number: no VAT, the buyer self-assesses ("Autoliquidation");
 *   - a business outside the EU: no VAT, the service is supplied where the buyer is (CGI art. 259-1).
 * An EU business without a VAT number is treated as a consumer: without the number the reverse charge cannot apply.
 */
export type VatTreatment =
  | { kind: 'french_vat'; ratePpm: number }
  | { kind: 'reverse_charge' }
  | { kind: 'outside_eu' };

export const VAT_MENTIONS = {
  reverse_charge: 'Autoliquidation',
  outside_eu: 'TVA non applicable, art. 259-1 du CGI',
} as const;

export function vatTreatment(buyer: Company | undefined, ratePpm: number): VatTreatment {
  if (!buyer || buyer.country === 'FR' || buyer.country === 'MC') return { kind: 'french_vat', ratePpm };
  if (!EU_COUNTRIES.includes(buyer.country)) return { kind: 'outside_eu' };
  return buyer.vatNumber ? { kind: 'reverse_charge' } : { kind: 'french_vat', ratePpm };
}

export interface VatSplit {
  net: number;
  vat: number;
  gross: number;
  ratePpm: number;
}

/**
 * The split of `part` of an amount of which `before` was split already (a credit note after others on one invoice):
 * the difference of the cumulative splits, so that the parts' nets and VATs add up to the whole's to the cent.
 */
export function splitVatPart(before: number, part: number, treatment: VatTreatment): VatSplit {
  const upTo = splitVat(before + part, treatment);
  const done = splitVat(before, treatment);
  return { net: upTo.net - done.net, vat: upTo.vat - done.vat, gross: part, ratePpm: upTo.ratePpm };
}

/**
 * An amount charged VAT included, split: net = gross / (1 + rate) rounded half up to the minor unit, VAT = the rest,
 * so that net + VAT is always exactly what was charged.
 */
export function splitVat(gross: number, treatment: VatTreatment): VatSplit {
  if (!Number.isSafeInteger(gross) || gross < 0) throw new Error(`VAT on a non-integer or negative amount ${gross}`);
  if (treatment.kind !== 'french_vat') return { net: gross, vat: 0, gross, ratePpm: 0 };
  const PPM = 1_000_000;
  const net = Math.floor((gross * PPM * 2 + (PPM + treatment.ratePpm)) / ((PPM + treatment.ratePpm) * 2));
  return { net, vat: gross - net, gross, ratePpm: treatment.ratePpm };
}
