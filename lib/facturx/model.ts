/**
 * A Factur-X invoice as plain data: what `ciiXml` turns into the CII XML (EN 16931 profile) and `facturxPdf` into a
 * PDF/A-3 that carries it. Every amount is an integer in the currency's minor unit (EUR cents).
 */

import type { PostalAddress } from '../../domain/legal-identity';

export type { PostalAddress };

export interface InvoiceParty {
  /** legal name, or a consumer's name */
  name: string;
  /** the seller always has one; a consumer may not (then `country` is needed: EN 16931 BR-10/BR-11) */
  address?: PostalAddress;
  /** ISO 3166-1 alpha-2, for a party without an address; ignored when `address` is set */
  country?: string;
  /** 9 digits, the French legal id (BT-30 / BT-47, scheme 0002) */
  siren?: string;
  /** BT-31 / BT-48, with its country prefix (FR…, DE…) */
  vatNumber?: string;
  /** electronic address (BT-34 / BT-49, scheme EM) */
  email?: string;
}

export interface Seller extends InvoiceParty {
  address: PostalAddress;
  /** "SAS au capital de 10 000 €, RCS Paris 123 456 782" (BT-33) */
  legalInfo?: string;
  /** BT-32 (scheme FC): how a seller without a VAT number, exempt from VAT (E), is identified for tax (BR-E-02) */
  taxRegistrationId?: string;
}

/**
 * EN 16931 VAT category (UNTDID 5305): S standard rate, AE reverse charge, E exempt, G export outside the EU,
 * O not subject to VAT (which forbids the seller's and the buyer's VAT numbers: BR-O-02/BR-O-03).
 */
export type VatCategory = 'S' | 'AE' | 'G' | 'O' | 'E';

export interface InvoiceLine {
  id: string;
  description: string;
  /** quantity 1, unit C62: the line's net amount is its price */
  netAmount: number;
}

export interface InvoiceVat {
  category: VatCategory;
  /** 20 for 20 %; 0 for every category but S (O has none) */
  ratePercent: number;
  /** BT-120, e.g. "Autoliquidation", "TVA non applicable, art. 259-1 du CGI" */
  exemptionReason?: string;
  /** BT-121, VATEX code, e.g. VATEX-EU-AE */
  exemptionCode?: string;
}

export interface InvoiceTotals {
  net: number;
  vat: number;
  gross: number;
  /** already paid (BT-113); the amount due is gross - paid */
  paid: number;
}

export interface InvoiceDocument {
  /** 380 invoice, 381 credit note */
  typeCode: '380' | '381';
  /** BT-1 */
  number: string;
  /** ISO date-time (or date); the XML and the PDF use its Europe/Paris calendar day */
  issueDate: string;
  /** BT-5, ISO 4217 */
  currency: string;
  seller: Seller;
  buyer: InvoiceParty;
  lines: InvoiceLine[];
  vat: InvoiceVat;
  totals: InvoiceTotals;
  /** BG-3, the invoice a credit note corrects (needed for 381) */
  precedingInvoice?: { number: string; issueDate: string };
  /** BT-22 free-text mentions ("Facture acquittée", "Autoliquidation", …) */
  notes: string[];
  /** BT-20; when an amount is due, EN 16931 BR-CO-25 needs it or `dueDate` */
  paymentTerms?: string;
  /**
   * BT-72, the day the service was supplied; the issue date when not set (French practice: the invoice date stands
   * for it unless another is mentioned). It also keeps the XML's delivery block non-empty (PEPPOL-EN16931-R008).
   */
  deliveryDate?: string;
  /** BT-9, ISO date (or date-time, taken as its Europe/Paris day) */
  dueDate?: string;
  /** a draft: the PDF says "BROUILLON — projet de facture" on every page */
  draft?: boolean;
  /** the PDF's heading, "Facture" / "Avoir" by default */
  title?: string;
}

/** A document that cannot make a valid EN 16931 invoice (inconsistent totals, missing VAT numbers, …). */
export class InvoiceDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvoiceDataError';
  }
}
