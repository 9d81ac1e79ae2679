import { createHash } from 'node:crypto';
import type { Db } from './pool';

export interface StoredInvoice {
  id: string;
  sha256: string;
  sizeBytes: number;
}

export interface InvoiceUpload {
  id: string;
  providerId: string;
  milestoneId: string;
  invoiceNumber: string;
  fileName: string;
  contentType: string;
  content: Buffer;
  /** a Factur-X file (its XML checked against the request), or a plain PDF */
  format: 'facturx' | 'pdf';
}

/**
 * Invoices live in PostgreSQL so that every API replica and worker sees the same file; the hash proves it unchanged.
 * The same upload sent again (same id) keeps the first copy: its fingerprint says it is the same file.
 */
export async function storeInvoice(db: Db, upload: InvoiceUpload): Promise<StoredInvoice> {
  const sha256 = createHash('sha256').update(upload.content).digest('hex');
  await db.query(
    `INSERT INTO invoices (id, provider_id, milestone_id, invoice_number, file_name, content_type, size_bytes, sha256, content, format)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING`,
    [upload.id, upload.providerId, upload.milestoneId, upload.invoiceNumber, upload.fileName, upload.contentType,
      upload.content.length, sha256, upload.content, upload.format],
  );
  return { id: upload.id, sha256, sizeBytes: upload.content.length };
}
