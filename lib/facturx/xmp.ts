/**
 * The XMP metadata of a Factur-X PDF: the PDF/A identification (part 3, conformance B), the document information
 * mirrored from the Info dictionary (PDF/A wants both to agree), and the Factur-X extension schema with its
 * properties (Factur-X 1.0, § "XMP metadata"). Built with xmlbuilder2, like the CII XML.
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';

const NS = {
  x: 'adobe:ns:meta/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  pdfaid: 'http://www.aiim.org/pdfa/ns/id/',
  dc: 'http://purl.org/dc/elements/1.1/',
  pdf: 'http://ns.adobe.com/pdf/1.3/',
  xmp: 'http://ns.adobe.com/xap/1.0/',
  pdfaExtension: 'http://www.aiim.org/pdfa/ns/extension/',
  pdfaSchema: 'http://www.aiim.org/pdfa/ns/schema#',
  pdfaProperty: 'http://www.aiim.org/pdfa/ns/property#',
  fx: 'urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const;
const XMLNS = 'http://www.w3.org/2000/xmlns/';

export interface XmpInfo {
  title: string;
  author: string;
  subject: string;
  producer: string;
  creatorTool: string;
  created: Date;
  modified: Date;
  /** fx:DocumentType: INVOICE */
  documentType: 'INVOICE';
  /** fx:DocumentFileName: factur-x.xml */
  documentFileName: string;
  /** fx:Version: 1.0 */
  version: string;
  /** fx:ConformanceLevel: EN 16931 */
  conformanceLevel: string;
}

const FX_PROPERTIES: [name: string, description: string][] = [
  ['DocumentFileName', 'The name of the embedded XML document'],
  ['DocumentType', 'The type of the hybrid document in capital letters, e.g. INVOICE or ORDER'],
  ['Version', 'The actual version of the standard applying to the embedded XML document'],
  ['ConformanceLevel', 'The conformance level of the embedded XML document'],
];

/** ISO 8601 without milliseconds, in UTC, as XMP dates are usually written. */
const xmpDate = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

function description(rdf: XMLBuilder, prefix: keyof typeof NS): XMLBuilder {
  return rdf.ele(NS.rdf, 'rdf:Description').att(NS.rdf, 'rdf:about', '').att(XMLNS, `xmlns:${prefix}`, NS[prefix]);
}

function langAlt(parent: XMLBuilder, text: string): void {
  parent.ele(NS.rdf, 'rdf:Alt').ele(NS.rdf, 'rdf:li').att(NS.xml, 'xml:lang', 'x-default').txt(text);
}

/** The XMP packet, as UTF-8 bytes, ready to be the catalog's Metadata stream. */
export function xmpPacket(info: XmpInfo): Uint8Array {
  const doc = create({ invalidCharReplacement: '' }).ins('xpacket', 'begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"');
  const rdf = doc.ele(NS.x, 'x:xmpmeta').ele(NS.rdf, 'rdf:RDF');

  const id = description(rdf, 'pdfaid');
  id.ele(NS.pdfaid, 'pdfaid:part').txt('3');
  id.ele(NS.pdfaid, 'pdfaid:conformance').txt('B');

  const dc = description(rdf, 'dc');
  langAlt(dc.ele(NS.dc, 'dc:title'), info.title);
  dc.ele(NS.dc, 'dc:creator').ele(NS.rdf, 'rdf:Seq').ele(NS.rdf, 'rdf:li').txt(info.author);
  langAlt(dc.ele(NS.dc, 'dc:description'), info.subject);

  description(rdf, 'pdf').ele(NS.pdf, 'pdf:Producer').txt(info.producer);

  const xmp = description(rdf, 'xmp');
  xmp.ele(NS.xmp, 'xmp:CreatorTool').txt(info.creatorTool);
  xmp.ele(NS.xmp, 'xmp:CreateDate').txt(xmpDate(info.created));
  xmp.ele(NS.xmp, 'xmp:ModifyDate').txt(xmpDate(info.modified));
  xmp.ele(NS.xmp, 'xmp:MetadataDate').txt(xmpDate(info.modified));

  const extension = description(rdf, 'pdfaExtension')
    .att(XMLNS, 'xmlns:pdfaSchema', NS.pdfaSchema)
    .att(XMLNS, 'xmlns:pdfaProperty', NS.pdfaProperty);
  const schema = extension.ele(NS.pdfaExtension, 'pdfaExtension:schemas').ele(NS.rdf, 'rdf:Bag').ele(NS.rdf, 'rdf:li').att(NS.rdf, 'rdf:parseType', 'Resource');
  schema.ele(NS.pdfaSchema, 'pdfaSchema:schema').txt('Factur-X PDFA Extension Schema');
  schema.ele(NS.pdfaSchema, 'pdfaSchema:namespaceURI').txt(NS.fx);
  schema.ele(NS.pdfaSchema, 'pdfaSchema:prefix').txt('fx');
  const properties = schema.ele(NS.pdfaSchema, 'pdfaSchema:property').ele(NS.rdf, 'rdf:Seq');
  for (const [name, text] of FX_PROPERTIES) {
    const property = properties.ele(NS.rdf, 'rdf:li').att(NS.rdf, 'rdf:parseType', 'Resource');
    property.ele(NS.pdfaProperty, 'pdfaProperty:name').txt(name);
    property.ele(NS.pdfaProperty, 'pdfaProperty:valueType').txt('Text');
    property.ele(NS.pdfaProperty, 'pdfaProperty:category').txt('external');
    property.ele(NS.pdfaProperty, 'pdfaProperty:description').txt(text);
  }

  const fx = description(rdf, 'fx');
  fx.ele(NS.fx, 'fx:DocumentType').txt(info.documentType);
  fx.ele(NS.fx, 'fx:DocumentFileName').txt(info.documentFileName);
  fx.ele(NS.fx, 'fx:Version').txt(info.version);
  fx.ele(NS.fx, 'fx:ConformanceLevel').txt(info.conformanceLevel);

  doc.ins('xpacket', 'end="w"');
  return new TextEncoder().encode(doc.end({ headless: true, prettyPrint: true }));
}
