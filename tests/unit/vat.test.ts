import { isIsoCountry, vatPrefixOf, type Company } from '../../domain/legal-identity';
import { splitVat, splitVatPart, vatTreatment } from '../../domain/vat';

const company = (country: string, vatNumber?: string): Company => ({ legalName: 'X', country, address: { line: '1 rue', postcode: '1000', city: 'Ville' }, ...(vatNumber ? { vatNumber } : {}) });
const FRENCH = { kind: 'french_vat', ratePpm: 200_000 } as const;

test('Monaco is inside the French VAT territory; an EU business with a VAT number reverse-charges; outside the EU no VAT', () => {
  expect(vatTreatment(company('MC', 'FR00000000000'), 200_000)).toEqual(FRENCH);
  expect(vatTreatment(company('GR', 'EL123456789'), 200_000)).toEqual({ kind: 'reverse_charge' });
  expect(vatTreatment(company('DE'), 200_000)).toEqual(FRENCH);
  expect(vatTreatment(company('CH', 'CHE123456789'), 200_000)).toEqual({ kind: 'outside_eu' });
  expect([vatPrefixOf('GR'), vatPrefixOf('MC'), vatPrefixOf('DE'), vatPrefixOf('CH')]).toEqual(['EL', 'FR', 'DE', undefined]);
});

test('ISO 3166-1 countries, not the other region codes the runtime knows', () => {
  expect(['FR', 'DE', 'GB', 'GR', 'MC', 'US'].every(isIsoCountry)).toBe(true);
  expect(['UK', 'EU', 'EL', 'ZZ', 'XK', 'fr', 'FRA'].some(isIsoCountry)).toBe(false);
});

test('parts of an amount split one after another add up to the split of the whole', () => {
  for (const parts of [[1, 1, 1], [33, 33, 34], [7, 5, 11, 13, 64]]) {
    let before = 0;
    const splits = parts.map((part) => {
      const split = splitVatPart(before, part, FRENCH);
      before += part;
      return split;
    });
    const whole = splitVat(before, FRENCH);
    expect({ net: splits.reduce((s, x) => s + x.net, 0), vat: splits.reduce((s, x) => s + x.vat, 0) }).toEqual({ net: whole.net, vat: whole.vat });
    for (const x of splits) expect(x.net + x.vat).toBe(x.gross);
  }
});
