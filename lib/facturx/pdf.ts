/**
 * A Factur-X PDF: a PDF/A-3b invoice a person reads (in French) that carries its CII XML as `factur-x.xml`.
 * Made with pdf-lib: DejaVu Sans embedded (subset) for every text, an sRGB OutputIntent, the XMP metadata of
 * PDF/A and Factur-X, the XML attached with AFRelationship /Data in the EmbeddedFiles name tree and the catalog's
 * AF array. Its ids and dates come from the document (its issue date, a hash of its XML), so the same document
 * gives the same metadata.
 */
import { createHash } from 'node:crypto';
import fontkit from '@pdf-lib/fontkit';
import { AFRelationship, PDFDocument, PDFHexString, PDFName, PDFString, rgb, degrees, type PDFFont, type PDFPage, type RGB } from 'pdf-lib';
import { formatSiren } from '../../domain/legal-identity';
import { fontBytes, srgbIccProfile } from './assets';
import { ciiXml } from './cii';
import { partyCountry } from './check';
import { documentInstant, frenchAmount, frenchDate, frenchRate, parisDay } from './format';
import type { InvoiceDocument, InvoiceParty } from './model';
import { xmpPacket } from './xmp';

export const FACTURX_FILENAME = 'factur-x.xml';
export const DRAFT_MARK = 'BROUILLON — projet de facture';
const PRODUCER = 'escrow-marketplace lib/facturx (pdf-lib)';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 50;
const FOOTER_Y = 40;
const BLACK = rgb(0, 0, 0);
const GREY = rgb(0.35, 0.35, 0.35);
const RULE = rgb(0.7, 0.7, 0.7);
const DRAFT_RED = rgb(0.75, 0.1, 0.1);
const WATERMARK = rgb(0.97, 0.85, 0.85);

interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
}

/** Text the font can show: control characters become spaces, characters it has no glyph for "?" (PDF/A forbids .notdef). */
const characterSets = new WeakMap<PDFFont, Set<number>>();
function printable(font: PDFFont, text: string): string {
  let known = characterSets.get(font);
  if (!known) {
    known = new Set(font.getCharacterSet());
    characterSets.set(font, known);
  }
  return Array.from(text, (c) => {
    const code = c.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return ' ';
    return known.has(code) ? c : '?';
  }).join('');
}

/** Lines of at most `width` points, broken at spaces (a word longer than the width is broken where it must). */
function wrap(font: PDFFont, size: number, text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  const fits = (s: string) => font.widthOfTextAtSize(s, size) <= width;
  for (const word of printable(font, text).split(/\s+/).filter(Boolean)) {
    const candidate = current ? `${current} ${word}` : word;
    if (fits(candidate)) {
      current = candidate;
      continue;
    }
    if (current) lines.push(current);
    let rest = word;
    while (!fits(rest) && rest.length > 1) {
      let cut = rest.length - 1;
      while (cut > 1 && !fits(rest.slice(0, cut))) cut--;
      lines.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    current = rest;
  }
  if (current) lines.push(current);
  return lines.length ? lines : [''];
}

/** Draws top-down on A4 pages, starting a new page when one is full. */
class Layout {
  page!: PDFPage;
  y = 0;
  readonly pages: PDFPage[] = [];

  constructor(
    private readonly pdf: PDFDocument,
    readonly fonts: Fonts,
    private readonly draft: boolean,
  ) {
    this.newPage();
  }

  newPage(): void {
    this.page = this.pdf.addPage(A4);
    this.pages.push(this.page);
    this.y = A4[1] - MARGIN;
    if (this.draft) {
      // behind everything drawn after it: a light diagonal word, and the full mark in red at the top
      const size = 90;
      const word = 'BROUILLON';
      const width = this.fonts.bold.widthOfTextAtSize(word, size);
      this.page.drawText(word, { x: A4[0] / 2 - (width / 2) * Math.SQRT1_2, y: A4[1] / 2 - (width / 2) * Math.SQRT1_2, size, font: this.fonts.bold, color: WATERMARK, rotate: degrees(45) });
      this.text(DRAFT_MARK, { size: 12, bold: true, color: DRAFT_RED });
      this.y -= 6;
    }
  }

  need(height: number): void {
    if (this.y - height < FOOTER_Y + 20) this.newPage();
  }

  text(text: string, opts: { x?: number; size?: number; bold?: boolean; color?: RGB; width?: number; right?: boolean } = {}): void {
    const size = opts.size ?? 10;
    const font = opts.bold ? this.fonts.bold : this.fonts.regular;
    const x = opts.x ?? MARGIN;
    const width = opts.width ?? A4[0] - MARGIN - x;
    for (const line of wrap(font, size, text, width)) {
      this.need(size * 1.35);
      this.y -= size * 1.35;
      const lineX = opts.right ? x + width - font.widthOfTextAtSize(line, size) : x;
      this.page.drawText(line, { x: lineX, y: this.y, size, font, color: opts.color ?? BLACK });
    }
  }

  /** A label on the left and an amount flush right, on one line. */
  row(label: string, amount: string, opts: { x: number; width: number; bold?: boolean; size?: number }): void {
    const size = opts.size ?? 10;
    const font = opts.bold ? this.fonts.bold : this.fonts.regular;
    const shown = printable(font, amount);
    const amountWidth = font.widthOfTextAtSize(shown, size);
    const labelLines = wrap(font, size, label, opts.width - amountWidth - 12);
    this.need(size * 1.35 * labelLines.length);
    labelLines.forEach((line, i) => {
      this.y -= size * 1.35;
      this.page.drawText(line, { x: opts.x, y: this.y, size, font, color: BLACK });
      if (i === 0) this.page.drawText(shown, { x: opts.x + opts.width - amountWidth, y: this.y, size, font, color: BLACK });
    });
  }

  rule(x = MARGIN, width = A4[0] - 2 * MARGIN): void {
    this.need(8);
    this.y -= 4;
    this.page.drawLine({ start: { x, y: this.y }, end: { x: x + width, y: this.y }, thickness: 0.5, color: RULE });
    this.y -= 4;
  }

  gap(points: number): void {
    this.y -= points;
  }
}

const COUNTRY_NAMES = new Intl.DisplayNames(['fr'], { type: 'region' });
const countryName = (code: string): string => COUNTRY_NAMES.of(code) ?? code;


function partyLines(party: InvoiceParty): string[] {
  const lines: string[] = [];
  if (party.address) {
    lines.push(party.address.line, `${party.address.postcode} ${party.address.city}`.trim());
    if (party.address.country !== 'FR') lines.push(countryName(party.address.country));
  } else {
    const country = partyCountry(party);
    if (country && country !== 'FR') lines.push(countryName(country));
  }
  if (party.siren) lines.push(`SIREN : ${formatSiren(party.siren)}`);
  if (party.vatNumber) lines.push(`N° TVA : ${party.vatNumber}`);
  if (party.email) lines.push(party.email);
  return lines;
}

/** Two blocks side by side: the seller on the left, the buyer on the right. */
function parties(layout: Layout, doc: InvoiceDocument): void {
  const columnWidth = (A4[0] - 2 * MARGIN - 30) / 2;
  const buyerX = MARGIN + columnWidth + 30;
  const top = layout.y;
  layout.text('Émetteur', { size: 8, color: GREY, width: columnWidth });
  layout.text(doc.seller.name, { bold: true, width: columnWidth });
  for (const line of partyLines(doc.seller)) layout.text(line, { width: columnWidth });
  if (doc.seller.legalInfo) layout.text(doc.seller.legalInfo, { size: 8, color: GREY, width: columnWidth });
  const sellerBottom = layout.y;
  const sellerPage = layout.page;
  layout.y = top;
  layout.page = sellerPage;
  layout.text(doc.typeCode === '381' ? 'Client (bénéficiaire de l’avoir)' : 'Client', { x: buyerX, size: 8, color: GREY, width: columnWidth });
  layout.text(doc.buyer.name, { x: buyerX, bold: true, width: columnWidth });
  for (const line of partyLines(doc.buyer)) layout.text(line, { x: buyerX, width: columnWidth });
  layout.y = Math.min(layout.y, sellerBottom);
}

function vatLabel(doc: InvoiceDocument): string {
  if (doc.vat.category === 'S') return `TVA ${frenchRate(doc.vat.ratePercent)}`;
  if (doc.vat.category === 'AE') return 'TVA (autoliquidation par le preneur)';
  return 'TVA (non applicable)';
}

function paymentStatus(doc: InvoiceDocument): string {
  const due = doc.totals.gross - doc.totals.paid;
  const credit = doc.typeCode === '381';
  if (due <= 0 && doc.totals.paid > 0) return credit ? 'Statut du paiement : remboursé' : 'Statut du paiement : acquittée (payée)';
  if (due <= 0) return 'Statut du paiement : rien à payer';
  const paid = doc.totals.paid > 0 ? `, ${frenchAmount(doc.totals.paid, doc.currency)} déjà ${credit ? 'remboursés' : 'payés'}` : '';
  return `Statut du paiement : ${frenchAmount(due, doc.currency)} ${credit ? 'à rembourser' : 'restant dû'}${paid}`;
}

function drawDocument(layout: Layout, doc: InvoiceDocument, title: string): void {
  const credit = doc.typeCode === '381';
  layout.text(`${title} n° ${doc.number}`, { size: 18, bold: true });
  layout.text(`Date : ${frenchDate(doc.issueDate)}`);
  if (doc.deliveryDate && parisDay(doc.deliveryDate) !== parisDay(doc.issueDate)) layout.text(`Date de la prestation : ${frenchDate(doc.deliveryDate)}`);
  if (credit && doc.precedingInvoice) {
    layout.text(`Avoir n° ${doc.number} se rapportant à la facture n° ${doc.precedingInvoice.number} du ${frenchDate(doc.precedingInvoice.issueDate)}`, { bold: true });
  }
  layout.gap(14);
  parties(layout, doc);
  layout.gap(20);

  const tableWidth = A4[0] - 2 * MARGIN;
  layout.row('Désignation', 'Montant HT', { x: MARGIN, width: tableWidth, bold: true });
  layout.rule();
  for (const line of doc.lines) {
    layout.row(line.description, frenchAmount(line.netAmount, doc.currency), { x: MARGIN, width: tableWidth });
  }
  layout.rule();
  layout.gap(6);

  const totalsX = MARGIN + tableWidth / 2;
  const totalsWidth = tableWidth / 2;
  layout.row('Total HT', frenchAmount(doc.totals.net, doc.currency), { x: totalsX, width: totalsWidth });
  layout.row(vatLabel(doc), frenchAmount(doc.totals.vat, doc.currency), { x: totalsX, width: totalsWidth });
  layout.row('Total TTC', frenchAmount(doc.totals.gross, doc.currency), { x: totalsX, width: totalsWidth, bold: true });
  if (doc.totals.paid !== 0) {
    layout.row(credit ? 'Déjà remboursé' : 'Déjà payé', frenchAmount(doc.totals.paid, doc.currency), { x: totalsX, width: totalsWidth });
    layout.row(credit ? 'Reste à rembourser' : 'Net à payer', frenchAmount(doc.totals.gross - doc.totals.paid, doc.currency), { x: totalsX, width: totalsWidth, bold: true });
  }
  layout.gap(14);
  layout.text(paymentStatus(doc), { bold: true });
  if (doc.paymentTerms) layout.text(`Conditions de paiement : ${doc.paymentTerms}`);
  if (doc.dueDate) layout.text(`Échéance : ${frenchDate(doc.dueDate)}`);

  const mentions = [...doc.notes];
  const reason = doc.vat.category === 'S' ? undefined : doc.vat.exemptionReason;
  if (reason && !mentions.includes(reason)) mentions.push(reason);
  if (mentions.length) {
    layout.gap(14);
    layout.text('Mentions', { bold: true });
    for (const mention of mentions) layout.text(mention);
  }
}

function drawFooters(layout: Layout, doc: InvoiceDocument): void {
  const font = layout.fonts.regular;
  const size = 7.5;
  const legal = [doc.seller.name, doc.seller.legalInfo, doc.seller.siren ? `SIREN ${formatSiren(doc.seller.siren)}` : undefined].filter(Boolean).join(' — ');
  layout.pages.forEach((page, i) => {
    const pageNo = `Page ${i + 1} / ${layout.pages.length}`;
    const pageNoWidth = font.widthOfTextAtSize(pageNo, size);
    const line = wrap(font, size, legal, A4[0] - 2 * MARGIN - pageNoWidth - 20)[0];
    page.drawText(line, { x: MARGIN, y: FOOTER_Y, size, font, color: GREY });
    page.drawText(pageNo, { x: A4[0] - MARGIN - pageNoWidth, y: FOOTER_Y, size, font, color: GREY });
  });
}

/** A six-letter subset tag (PDF 32000-1 § 9.6.4), derived from the document so that it is stable. */
const subsetTag = (seed: string): string =>
  Array.from(createHash('sha256').update(seed).digest().subarray(0, 6), (b) => String.fromCharCode(65 + (b % 26))).join('');

/** The Factur-X PDF/A-3b of the document; throws an InvoiceDataError when the document breaks an EN 16931 rule. */
export async function facturxPdf(doc: InvoiceDocument): Promise<Uint8Array> {
  const xml = ciiXml(doc);
  const xmlBytes = new TextEncoder().encode(xml);
  const digest = createHash('sha256').update(xmlBytes).digest();
  const dated = documentInstant(doc.issueDate);
  const title = doc.title ?? (doc.typeCode === '381' ? 'Avoir' : 'Facture');
  const docTitle = `${doc.draft ? 'BROUILLON — ' : ''}${title} n° ${doc.number}`;

  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.registerFontkit(fontkit);
  const seed = digest.toString('hex');
  const fonts: Fonts = {
    regular: await pdf.embedFont(fontBytes('regular'), { subset: true, customName: `${subsetTag(`${seed}R`)}+DejaVuSans` }),
    bold: await pdf.embedFont(fontBytes('bold'), { subset: true, customName: `${subsetTag(`${seed}B`)}+DejaVuSans-Bold` }),
  };

  const layout = new Layout(pdf, fonts, doc.draft === true);
  drawDocument(layout, doc, title);
  drawFooters(layout, doc);

  // the Info dictionary, mirrored in the XMP below (PDF/A: both must agree)
  const subject = `Factur-X EN 16931 — ${title.toLowerCase()} ${doc.number}`;
  pdf.setTitle(docTitle);
  pdf.setAuthor(doc.seller.name);
  pdf.setSubject(subject);
  pdf.setProducer(PRODUCER);
  pdf.setCreator(PRODUCER);
  pdf.setCreationDate(dated);
  pdf.setModificationDate(dated);
  pdf.setLanguage('fr-FR');

  const context = pdf.context;
  const metadata = context.stream(
    xmpPacket({
      title: docTitle,
      author: doc.seller.name,
      subject,
      producer: PRODUCER,
      creatorTool: PRODUCER,
      created: dated,
      modified: dated,
      documentType: 'INVOICE',
      documentFileName: FACTURX_FILENAME,
      version: '1.0',
      conformanceLevel: 'EN 16931',
    }),
    { Type: 'Metadata', Subtype: 'XML' },
  );
  pdf.catalog.set(PDFName.of('Metadata'), context.register(metadata));

  const icc = context.flateStream(srgbIccProfile(), { N: 3 });
  const outputIntent = context.obj({
    Type: 'OutputIntent',
    S: 'GTS_PDFA1',
    OutputConditionIdentifier: PDFString.of('sRGB IEC61966-2.1'),
    Info: PDFString.of('sRGB IEC61966-2.1'),
    RegistryName: PDFString.of('http://www.color.org'),
    DestOutputProfile: context.register(icc),
  });
  pdf.catalog.set(PDFName.of('OutputIntents'), context.obj([context.register(outputIntent)]));

  await pdf.attach(xmlBytes, FACTURX_FILENAME, {
    mimeType: 'text/xml',
    description: 'Factur-X invoice (EN 16931)',
    creationDate: dated,
    modificationDate: dated,
    afRelationship: AFRelationship.Data,
  });

  const id = PDFHexString.of(digest.subarray(0, 16).toString('hex'));
  context.trailerInfo.ID = context.obj([id, id]);
  return pdf.save({ useObjectStreams: false });
}
