/**
 * What an uploaded PDF says about itself as an invoice: no XML (a plain PDF), an XML that fails the Factur-X EN 16931
 * XSD, an XML that is not a CII invoice the API can read, or the invoice's summary. Pure: `inspect-isolated.ts` runs
 * it where a hostile file can only exhaust a thread's own memory and time.
 */
import { CiiReadError, extractFacturxXml, readCiiInvoice, validateCiiXsd, type CiiInvoiceSummary } from './read';

export type InvoiceInspection =
  | { kind: 'plain-pdf' }
  | { kind: 'invalid-xml'; errors: string[] }
  | { kind: 'unreadable-xml'; error: string }
  | { kind: 'invoice'; summary: CiiInvoiceSummary };

export async function inspectInvoicePdf(pdf: Uint8Array): Promise<InvoiceInspection> {
  const xml = await extractFacturxXml(pdf);
  if (xml === undefined) return { kind: 'plain-pdf' };
  // libxml2 would expand entities before the schema says anything: a CII invoice never has a DOCTYPE
  if (/<!DOCTYPE/i.test(xml)) return { kind: 'unreadable-xml', error: 'a CII invoice has no DOCTYPE' };
  const schema = await validateCiiXsd(xml);
  if (!schema.valid) return { kind: 'invalid-xml', errors: schema.errors };
  try {
    return { kind: 'invoice', summary: readCiiInvoice(xml) };
  } catch (err) {
    if (err instanceof CiiReadError) return { kind: 'unreadable-xml', error: err.message };
    throw err;
  }
}
