import { z } from 'zod';
import { Id } from '../schemas/common';

export const FeeInvoiceParams = z.object({ invoiceId: Id });

export const FeeInvoiceItem = z
  .strictObject({
    id: z.string(),
    number: z.string(),
    kind: z.enum(['commission', 'escrow_fee']),
    projectId: z.string(),
    projectTitle: z.string(),
    milestoneId: z.string(),
    milestoneTitle: z.string(),
    baseAmount: z.number().int(),
    amount: z.number().int(),
    currency: z.string(),
    description: z.string(),
    issuedAt: z.string(),
    documentUrl: z.string().meta({ description: 'the invoice as a document (GET, HTML)' }),
  })
  .meta({ id: 'FeeInvoice' });

export const FeeInvoiceList = z.strictObject({ items: z.array(FeeInvoiceItem) }).meta({ id: 'FeeInvoices' });
