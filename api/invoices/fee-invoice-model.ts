import type { FeeInvoiceRow } from '../../db/fee-invoices';
import type { Company, SellerIdentity } from '../../domain/legal-identity';
import { formatAmount } from '../../domain/money';
import { VAT_MENTIONS, type VatTreatment } from '../../domain/vat';
import type { InvoiceDocument, InvoiceParty, VatCategory } from '../../lib/facturx/model';

/** The EN 16931 VAT category of each treatment, with its exemption reason (BT-120) and code (BT-121). */
export function vatCategoryOf(treatment: VatTreatment['kind'], ratePpm: number): InvoiceDocument['vat'] {
  switch (treatment) {
    case 'french_vat':
      return { category: 'S', ratePercent: ratePpm / 10_000 };
    case 'reverse_charge':
      return { category: 'AE', ratePercent: 0, exemptionReason: VAT_MENTIONS.reverse_charge, exemptionCode: 'VATEX-EU-AE' };
    case 'outside_eu':
      return { category: OUTSIDE_EU_CATEGORY, ratePercent: 0, exemptionReason: VAT_MENTIONS.outside_eu, exemptionCode: `VATEX-EU-${OUTSIDE_EU_CATEGORY}` };
  }
}

/** Services to a business outside the EU (CGI art. 259-1): see docs/decisions.md, issue 16, for why this category. */
const OUTSIDE_EU_CATEGORY: VatCategory = 'G';

export const sellerParty = (s: SellerIdentity) => ({
  name: s.legalName, address: s.address, siren: s.siren, vatNumber: s.vatNumber, ...(s.legalInfo ? { legalInfo: s.legalInfo } : {}),
});

/**
 * A party as a buyer: the business by its legal details, a consumer by their name. The platform does not collect a
 * consumer's address; EN 16931 needs the buyer's country (BR-11), and France, the platform's market, stands in.
 */
export function buyerParty(name: string, email: string, company: Company | undefined): InvoiceParty {
  if (!company) return { name, email, country: 'FR' };
  return {
    name: company.legalName, email,
    address: { ...company.address, country: company.country },
    ...(company.siren ? { siren: company.siren } : {}),
    ...(company.vatNumber ? { vatNumber: company.vatNumber } : {}),
  };
}

const OPERATION = 'Prestation de services de la plateforme';

/**
 * One fee invoice or credit note as the document model both its HTML page and its Factur-X PDF are drawn from.
 * `currentSeller` stands in for documents issued before the seller was recorded with each.
 */
export function feeInvoiceDocument(f: FeeInvoiceRow, currentSeller: SellerIdentity): InvoiceDocument {
  const credit = f.document === 'credit_note';
  const vat = vatCategoryOf(f.vatTreatment, f.vatRatePpm);
  const notes = [
    `Nature de l'opération : ${OPERATION.toLowerCase()} (${f.description.toLowerCase()}), projet « ${f.projectTitle} », échéance « ${f.milestoneTitle} » (${f.milestoneId}).`,
    f.settlement,
    ...(vat.exemptionReason ? [vat.exemptionReason] : []),
    ...(credit && f.credited ? [`Avoir se rapportant à la facture n° ${f.credited.number}.`] : []),
  ];
  return {
    typeCode: credit ? '381' : '380',
    title: credit ? 'Avoir' : 'Facture',
    number: f.number,
    issueDate: f.issuedAt,
    currency: f.currency,
    seller: sellerParty(f.seller ?? currentSeller),
    buyer: buyerParty(f.recipientName, f.recipientEmail, f.buyerCompany),
    lines: [{ id: '1', description: `${f.description} sur ${formatAmount(f.baseAmount, f.currency)} — ${f.projectTitle}, ${f.milestoneTitle}`, netAmount: f.netAmount }],
    vat,
    totals: { net: f.netAmount, vat: f.vatAmount, gross: f.amount, paid: f.amount },
    ...(credit && f.credited ? { precedingInvoice: { number: f.credited.number, issueDate: f.credited.issuedAt } } : {}),
    notes,
  };
}
