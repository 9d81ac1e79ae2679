/**
 * What a document must hold before it is written, so that its CII XML meets the EN 16931 business rules that depend
 * on the data (the XML's shape is `cii.ts`'s business): totals that add up, VAT numbers where the category needs them.
 */
import { currencyDecimals, decimalRate, parisDay } from './format';
import { InvoiceDataError, type InvoiceDocument, type InvoiceParty } from './model';

const fail = (message: string): never => {
  throw new InvoiceDataError(message);
};

const isMinor = (n: number): boolean => Number.isSafeInteger(n);
const blank = (text: string | undefined): boolean => text === undefined || text.trim() === '';

/** The party's country: its address's, or the one given for a party without an address. */
export function partyCountry(party: InvoiceParty): string | undefined {
  return party.address?.country ?? party.country;
}

function checkParty(party: InvoiceParty, role: 'seller' | 'buyer'): void {
  if (blank(party.name)) fail(`the ${role} has no name (BR-6/BR-7)`);
  const country = partyCountry(party);
  if (!country) fail(`the ${role} has neither an address nor a country (BR-8/BR-9, BR-10/BR-11)`);
  if (!/^[A-Z]{2}$/.test(country ?? '')) fail(`the ${role}'s country ${JSON.stringify(country)} is not ISO 3166-1 alpha-2`);
  if (party.siren !== undefined && !/^\d{9}$/.test(party.siren)) fail(`the ${role}'s SIREN ${JSON.stringify(party.siren)} is not 9 digits`);
  // BR-CO-09: a VAT identifier starts with a country prefix (EL for Greece)
  if (party.vatNumber !== undefined && !/^[A-Z]{2}[0-9A-Za-z+*.]{2,13}$/.test(party.vatNumber)) {
    fail(`the ${role}'s VAT number ${JSON.stringify(party.vatNumber)} has no country prefix (BR-CO-09)`);
  }
}

/** Throws an InvoiceDataError naming the first rule the document breaks. */
export function checkInvoiceDocument(doc: InvoiceDocument): void {
  if (blank(doc.number)) fail('the document has no number (BR-2)');
  if (doc.typeCode !== '380' && doc.typeCode !== '381') fail(`type code ${JSON.stringify(doc.typeCode)} is neither 380 nor 381`);
  parisDay(doc.issueDate);
  currencyDecimals(doc.currency);
  checkParty(doc.seller, 'seller');
  checkParty(doc.buyer, 'buyer');
  if (!doc.seller.address) fail('the seller has no postal address (BR-8)');
  if (!doc.seller.siren && !doc.seller.vatNumber) fail('the seller has neither a SIREN nor a VAT number (BR-CO-26)');

  if (doc.lines.length === 0) fail('the document has no line (BR-16)');
  const ids = new Set<string>();
  for (const line of doc.lines) {
    if (blank(line.id) || ids.has(line.id)) fail(`line id ${JSON.stringify(line.id)} is empty or repeated (BR-21)`);
    ids.add(line.id);
    if (blank(line.description)) fail(`line ${line.id} has no description (BR-25)`);
    if (!isMinor(line.netAmount)) fail(`line ${line.id}'s amount ${line.netAmount} is not an integer of minor units`);
  }

  const { net, vat, gross, paid } = doc.totals;
  for (const name of ['net', 'vat', 'gross', 'paid'] as const) {
    if (!isMinor(doc.totals[name])) fail(`total ${name} ${doc.totals[name]} is not an integer of minor units`);
  }
  const lineSum = doc.lines.reduce((sum, line) => sum + line.netAmount, 0);
  if (lineSum !== net) fail(`the lines add up to ${lineSum}, the net total is ${net} (BR-CO-10)`);
  if (net + vat !== gross) fail(`net ${net} + VAT ${vat} is not the gross total ${gross} (BR-CO-15)`);

  const { category, ratePercent, exemptionReason, exemptionCode } = doc.vat;
  decimalRate(ratePercent);
  if (category === 'S') {
    if (ratePercent <= 0) fail('standard-rated VAT (S) needs a rate above 0 (BR-S-05)');
    const expected = Math.round((Math.abs(net) * ratePercent) / 100) * Math.sign(net);
    if (Math.abs(vat - expected) > 1) fail(`VAT ${vat} is not ${ratePercent} % of ${net} (BR-S-09)`);
    if (!doc.seller.vatNumber) fail('standard-rated VAT (S) needs the seller VAT number (BR-S-02)');
  } else {
    if (ratePercent !== 0) fail(`VAT category ${category} has rate 0 (BR-${category}-05)`);
    if (vat !== 0) fail(`VAT category ${category} has no VAT amount (BR-${category}-09)`);
    if (blank(exemptionReason) && blank(exemptionCode)) fail(`VAT category ${category} needs an exemption reason or code (BR-${category}-10)`);
    if (category === 'AE' && (!doc.seller.vatNumber || !doc.buyer.vatNumber)) fail('reverse charge (AE) needs the seller and the buyer VAT numbers (BR-AE-03/04)');
    if (category === 'G' && !doc.seller.vatNumber) fail('VAT category G needs the seller VAT number (BR-G-02)');
    if (category === 'E' && !doc.seller.vatNumber && !doc.seller.taxRegistrationId) fail('VAT category E needs the seller VAT number or tax registration (BR-E-02)');
    if (category === 'O' && (doc.seller.vatNumber || doc.buyer.vatNumber)) fail('not subject to VAT (O) forbids the seller and buyer VAT numbers (BR-O-02/03)');
  }

  if (doc.typeCode === '381') {
    if (!doc.precedingInvoice || blank(doc.precedingInvoice.number)) fail('a credit note (381) names the invoice it corrects (BG-3)');
  }
  if (doc.precedingInvoice) parisDay(doc.precedingInvoice.issueDate);
  if (doc.dueDate !== undefined) parisDay(doc.dueDate);
  if (doc.deliveryDate !== undefined) parisDay(doc.deliveryDate);
  if (gross - paid > 0 && blank(doc.paymentTerms) && doc.dueDate === undefined) {
    fail(`${gross - paid} is due: payment terms or a due date are needed (BR-CO-25)`);
  }
}
