/** Factur-X (EN 16931 profile) invoices: write the CII XML and the PDF/A-3 that carries it, read them back. */
export * from './model';
export { ciiXml, CII_NAMESPACES, EN16931_GUIDELINE } from './cii';
export { facturxPdf, FACTURX_FILENAME, DRAFT_MARK } from './pdf';
export { extractFacturxXml, readCiiInvoice, validateCiiXsd, CiiReadError, INVOICE_XML_NAMES, type CiiInvoiceSummary } from './read';
export { checkInvoiceDocument } from './check';
