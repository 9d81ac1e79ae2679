import { z } from 'zod';
import { Id } from '../schemas/common';

export const FeeInvoiceParams = z.object({ invoiceId: Id });

export const FeeInvoiceItem = z
  .strictObject({
    id: z.string(),
    number: z.string(),
    kind: z.enum(['invoice', 'credit_note']).meta({ description: 'an invoice, or a credit note (avoir) correcting one' }),
    fee: z.enum(['commission', 'escrow_fee']),
    projectId: z.string(),
    projectTitle: z.string(),
    milestoneId: z.string(),
    milestoneTitle: z.string(),
    baseAmount: z.number().int(),
    amount: z.number().int().meta({ description: 'the fee charged (or given back), VAT included' }),
    netAmount: z.number().int(),
    vatAmount: z.number().int(),
    vatRate: z.number().meta({ description: '0.2 for French VAT at 20 %; 0 under reverse charge or outside the EU' }),
    currency: z.string(),
    description: z.string(),
    issuedAt: z.string(),
    creditedInvoice: z.strictObject({ id: z.string(), number: z.string() }).optional().meta({ description: 'the invoice a credit note corrects' }),
    documentUrl: z.string().meta({ description: 'the document (GET): Factur-X PDF with Accept: application/pdf, else HTML' }),
  })
  .meta({ id: 'FeeInvoice' });

export const FeeInvoiceList = z.strictObject({ items: z.array(FeeInvoiceItem) }).meta({ id: 'FeeInvoices' });
