/**
 * The CII CrossIndustryInvoice XML (UN/CEFACT D16B, as Factur-X 1.0 uses it) of a document, Factur-X EN 16931
 * profile. Built with xmlbuilder2: every text of the document goes in as a text node or an attribute value, escaped
 * by the builder; characters XML 1.0 cannot hold (control characters) are dropped.
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { checkInvoiceDocument, partyCountry } from './check';
import { currencyDecimals, decimalAmount, decimalRate, format102 } from './format';
import type { InvoiceDocument, InvoiceParty, Seller } from './model';

export const CII_NAMESPACES = {
  rsm: 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
  ram: 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100',
  qdt: 'urn:un:unece:uncefact:data:standard:QualifiedDataType:100',
  udt: 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100',
} as const;

/** BT-24: the Factur-X EN 16931 profile (a CIUS-free EN 16931 invoice). */
export const EN16931_GUIDELINE = 'urn:cen.eu:en16931:2017';

const { rsm: RSM, ram: RAM, udt: UDT, qdt: QDT } = CII_NAMESPACES;

type Node = XMLBuilder;
const ram = (parent: Node, name: string): Node => parent.ele(RAM, `ram:${name}`);
const ramText = (parent: Node, name: string, text: string, attrs: Record<string, string> = {}): Node => {
  const node = ram(parent, name);
  for (const [key, value] of Object.entries(attrs)) node.att(key, value);
  return node.txt(text).up();
};
const date102 = (parent: Node, name: string, iso: string, ns: 'udt' | 'qdt' = 'udt'): void => {
  ram(parent, name)
    .ele(ns === 'udt' ? UDT : QDT, `${ns}:DateTimeString`)
    .att('format', '102')
    .txt(format102(iso));
};

function party(parent: Node, name: 'SellerTradeParty' | 'BuyerTradeParty', p: InvoiceParty | Seller): void {
  const node = ram(parent, name);
  ramText(node, 'Name', p.name);
  if ('legalInfo' in p && p.legalInfo) ramText(node, 'Description', p.legalInfo); // BT-33
  if (p.siren) ramText(ram(node, 'SpecifiedLegalOrganization'), 'ID', p.siren, { schemeID: '0002' });
  const address = ram(node, 'PostalTradeAddress');
  if (p.address) {
    ramText(address, 'PostcodeCode', p.address.postcode);
    ramText(address, 'LineOne', p.address.line);
    ramText(address, 'CityName', p.address.city);
  }
  ramText(address, 'CountryID', partyCountry(p) ?? '');
  if (p.email) ramText(ram(node, 'URIUniversalCommunication'), 'URIID', p.email, { schemeID: 'EM' });
  if (p.vatNumber) ramText(ram(node, 'SpecifiedTaxRegistration'), 'ID', p.vatNumber, { schemeID: 'VA' });
  if ('taxRegistrationId' in p && p.taxRegistrationId) ramText(ram(node, 'SpecifiedTaxRegistration'), 'ID', p.taxRegistrationId, { schemeID: 'FC' });
}

function tradeTax(parent: Node, doc: InvoiceDocument, amounts?: { calculated: string; basis: string }): void {
  const { category, ratePercent, exemptionReason, exemptionCode } = doc.vat;
  const tax = ram(parent, 'ApplicableTradeTax');
  if (amounts) ramText(tax, 'CalculatedAmount', amounts.calculated);
  ramText(tax, 'TypeCode', 'VAT');
  if (amounts && category !== 'S' && exemptionReason) ramText(tax, 'ExemptionReason', exemptionReason);
  if (amounts) ramText(tax, 'BasisAmount', amounts.basis);
  ramText(tax, 'CategoryCode', category);
  if (amounts && category !== 'S' && exemptionCode) ramText(tax, 'ExemptionReasonCode', exemptionCode);
  if (category !== 'O') ramText(tax, 'RateApplicablePercent', decimalRate(ratePercent));
}

/** The CII XML of the document; throws an InvoiceDataError when the document breaks an EN 16931 rule. */
export function ciiXml(doc: InvoiceDocument): string {
  checkInvoiceDocument(doc);
  const decimals = currencyDecimals(doc.currency);
  const amount = (minor: number): string => decimalAmount(minor, decimals);

  const root = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '' })
    .ele(RSM, 'rsm:CrossIndustryInvoice')
    .att('http://www.w3.org/2000/xmlns/', 'xmlns:qdt', QDT)
    .att('http://www.w3.org/2000/xmlns/', 'xmlns:ram', RAM)
    .att('http://www.w3.org/2000/xmlns/', 'xmlns:udt', UDT);

  const context = root.ele(RSM, 'rsm:ExchangedDocumentContext');
  ramText(ram(context, 'GuidelineSpecifiedDocumentContextParameter'), 'ID', EN16931_GUIDELINE);

  const header = root.ele(RSM, 'rsm:ExchangedDocument');
  ramText(header, 'ID', doc.number);
  ramText(header, 'TypeCode', doc.typeCode);
  date102(header, 'IssueDateTime', doc.issueDate);
  for (const note of doc.notes) ramText(ram(header, 'IncludedNote'), 'Content', note);

  const transaction = root.ele(RSM, 'rsm:SupplyChainTradeTransaction');
  for (const line of doc.lines) {
    const item = ram(transaction, 'IncludedSupplyChainTradeLineItem');
    ramText(ram(item, 'AssociatedDocumentLineDocument'), 'LineID', line.id);
    ramText(ram(item, 'SpecifiedTradeProduct'), 'Name', line.description);
    ramText(ram(ram(item, 'SpecifiedLineTradeAgreement'), 'NetPriceProductTradePrice'), 'ChargeAmount', amount(line.netAmount));
    ramText(ram(item, 'SpecifiedLineTradeDelivery'), 'BilledQuantity', '1', { unitCode: 'C62' });
    const settlement = ram(item, 'SpecifiedLineTradeSettlement');
    tradeTax(settlement, doc);
    ramText(ram(settlement, 'SpecifiedTradeSettlementLineMonetarySummation'), 'LineTotalAmount', amount(line.netAmount));
  }

  const agreement = ram(transaction, 'ApplicableHeaderTradeAgreement');
  party(agreement, 'SellerTradeParty', doc.seller);
  party(agreement, 'BuyerTradeParty', doc.buyer);
  date102(ram(ram(transaction, 'ApplicableHeaderTradeDelivery'), 'ActualDeliverySupplyChainEvent'), 'OccurrenceDateTime', doc.deliveryDate ?? doc.issueDate);

  const settlement = ram(transaction, 'ApplicableHeaderTradeSettlement');
  ramText(settlement, 'InvoiceCurrencyCode', doc.currency);
  tradeTax(settlement, doc, { calculated: amount(doc.totals.vat), basis: amount(doc.totals.net) });
  if (doc.paymentTerms || doc.dueDate) {
    const terms = ram(settlement, 'SpecifiedTradePaymentTerms');
    if (doc.paymentTerms) ramText(terms, 'Description', doc.paymentTerms);
    if (doc.dueDate) date102(terms, 'DueDateDateTime', doc.dueDate);
  }
  const sums = ram(settlement, 'SpecifiedTradeSettlementHeaderMonetarySummation');
  ramText(sums, 'LineTotalAmount', amount(doc.totals.net));
  ramText(sums, 'TaxBasisTotalAmount', amount(doc.totals.net));
  ramText(sums, 'TaxTotalAmount', amount(doc.totals.vat), { currencyID: doc.currency });
  ramText(sums, 'GrandTotalAmount', amount(doc.totals.gross));
  if (doc.totals.paid !== 0) ramText(sums, 'TotalPrepaidAmount', amount(doc.totals.paid));
  ramText(sums, 'DuePayableAmount', amount(doc.totals.gross - doc.totals.paid));
  if (doc.precedingInvoice) {
    const preceding = ram(settlement, 'InvoiceReferencedDocument');
    ramText(preceding, 'IssuerAssignedID', doc.precedingInvoice.number);
    date102(preceding, 'FormattedIssueDateTime', doc.precedingInvoice.issueDate, 'qdt');
  }

  return root.end({ prettyPrint: true });
}
