/** PDFs built to exhaust a reader: small files whose streams inflate to far more than any invoice. */
import { createDeflate, deflateSync } from 'node:zlib';

/** `decodedMb` of spaces, Flate-compressed (about 1 KB per MB) without holding them in memory. */
async function deflatedSpaces(prefix: string, decodedMb: number): Promise<Buffer> {
  const z = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  z.on('data', (chunk: Buffer) => parts.push(chunk));
  const ended = new Promise((resolve) => z.on('end', resolve));
  z.write(prefix);
  const megabyte = Buffer.alloc(1 << 20, 0x20);
  for (let i = 0; i < decodedMb; i++) if (!z.write(megabyte)) await new Promise((resolve) => z.once('drain', resolve));
  z.end();
  await ended;
  return Buffer.concat(parts);
}

const pdfWith = (objects: (string | Buffer)[], size: number) =>
  Buffer.concat([
    Buffer.from('%PDF-1.7\n'),
    ...objects.map((o) => (typeof o === 'string' ? Buffer.from(o) : o)),
    Buffer.from(`trailer << /Root 1 0 R /Size ${size} >>\n%%EOF\n`),
  ]);

/** An object stream that inflates to `decodedMb` MB: the PDF parser decodes it while loading the file. */
export async function objectStreamBomb(decodedMb: number): Promise<Buffer> {
  const body = await deflatedSpaces('4 0 ', decodedMb);
  return pdfWith([
    '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n',
    '2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n',
    `3 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length ${body.length} >>\nstream\n`, body, '\nendstream\nendobj\n',
  ], 4);
}

/** A factur-x.xml attachment compressed twice (FlateDecode, FlateDecode) that would inflate to `decodedMb` MB. */
export async function embeddedXmlBomb(decodedMb: number): Promise<Buffer> {
  const body = deflateSync(await deflatedSpaces('<', decodedMb));
  return pdfWith([
    '1 0 obj << /Type /Catalog /Pages 2 0 R /AF [3 0 R] /Names << /EmbeddedFiles << /Names [(factur-x.xml) 3 0 R] >> >> >> endobj\n',
    '2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n',
    '3 0 obj << /Type /Filespec /F (factur-x.xml) /UF (factur-x.xml) /AFRelationship /Data /EF << /F 4 0 R >> >> endobj\n',
    `4 0 obj << /Type /EmbeddedFile /Subtype /text#2Fxml /Filter [/FlateDecode /FlateDecode] /Length ${body.length} >>\nstream\n`, body, '\nendstream\nendobj\n',
  ], 5);
}
