import type { PartyInfo } from '../../domain/parties';
import type { IsolatedInspection } from '../../lib/facturx/inspect-isolated';
import { HttpProblem } from '../problem';

/** What a payment request says its invoice is: the XML of a Factur-X invoice must say the same. */
export interface ExpectedInvoice {
  invoiceNumber: string;
  amount: number;
  currency: string;
  provider: PartyInfo;
  client: PartyInfo;
}

interface Mismatch {
  path: string;
  message: string;
}

const normalised = (name: string) => name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
const sameName = (a: string, b: string) => normalised(a) === normalised(b);

/**
 * Whether the invoice's party (seller BG-4, buyer BG-7) is the project's: by SIREN or VAT number where both sides
 * know one, else by name (the legal name of a business, the name of a consumer), ignoring case, accents and punctuation.
 */
function partyMismatch(role: 'seller' | 'buyer', found: { name: string; siren?: string; vatNumber?: string }, party: PartyInfo): string | undefined {
  const c = party.company;
  if (c?.siren && found.siren) return found.siren === c.siren ? undefined : `the ${role}'s SIREN is ${found.siren}, not ${c.siren}`;
  if (c?.vatNumber && found.vatNumber) return found.vatNumber === c.vatNumber ? undefined : `the ${role}'s VAT number is ${found.vatNumber}, not ${c.vatNumber}`;
  const names = [party.name, ...(c ? [c.legalName] : [])];
  return names.some((n) => sameName(n, found.name)) ? undefined : `the ${role} is "${found.name}", not ${names.map((n) => `"${n}"`).join(' or ')}`;
}

/**
 * Reads an uploaded invoice: a Factur-X/ZUGFeRD PDF has its CII XML checked against the official XSD and then against
 * the payment request (number BT-1, grand total BT-112, currency BT-5, seller, buyer); a mismatch is a 422 naming each
 * field. A plain PDF is accepted as it is.
 */
export async function checkProviderInvoice(
  pdf: Uint8Array,
  expected: ExpectedInvoice,
  inspect: (pdf: Uint8Array) => Promise<IsolatedInspection>,
): Promise<'facturx' | 'pdf'> {
  const inspection = await inspect(pdf);
  switch (inspection.kind) {
    case 'plain-pdf':
      return 'pdf';
    case 'unreadable-pdf':
      throw new HttpProblem(422, `the invoice PDF cannot be read: ${inspection.reason}`, 'unreadable-invoice', [{ path: 'invoice', message: inspection.reason }]);
    case 'invalid-xml': {
      const { errors } = inspection;
      throw new HttpProblem(422, `the invoice's Factur-X XML does not follow the CII schema: ${errors.slice(0, 3).join('; ')}`, 'invalid-facturx',
        errors.slice(0, 10).map((message: string) => ({ path: 'invoice', message })));
    }
    case 'unreadable-xml':
      throw new HttpProblem(422, `the invoice's Factur-X XML cannot be read: ${inspection.error}`, 'invalid-facturx', [{ path: 'invoice', message: inspection.error }]);
  }
  const found = inspection.summary;
  const mismatches: Mismatch[] = [];
  if (found.typeCode === '381') mismatches.push({ path: 'invoice.typeCode', message: 'a credit note (381) is not an invoice to be paid' });
  if (found.number !== expected.invoiceNumber) mismatches.push({ path: 'invoiceNumber', message: `the invoice's number (BT-1) is ${found.number}, not ${expected.invoiceNumber}` });
  if (found.currency !== expected.currency) mismatches.push({ path: 'invoice.currency', message: `the invoice is in ${found.currency} (BT-5), the project in ${expected.currency}` });
  if (found.grandTotal !== expected.amount) mismatches.push({ path: 'amount', message: `the invoice's total (BT-112) is ${found.grandTotal}, the request asks ${expected.amount}` });
  const seller = partyMismatch('seller', { name: found.sellerName, siren: found.sellerSiren, vatNumber: found.sellerVatNumber }, expected.provider);
  if (seller) mismatches.push({ path: 'invoice.seller', message: seller });
  const buyer = partyMismatch('buyer', { name: found.buyerName, siren: found.buyerSiren, vatNumber: found.buyerVatNumber }, expected.client);
  if (buyer) mismatches.push({ path: 'invoice.buyer', message: buyer });
  if (mismatches.length > 0) {
    throw new HttpProblem(422, `the Factur-X invoice differs from the payment request: ${mismatches.map((m) => m.message).join('; ')}`, 'invoice-mismatch', mismatches);
  }
  return 'facturx';
}
