import { z } from 'zod';
import { listUserFeeInvoices } from '../../db/fee-invoices';
import type { Db } from '../../db/pool';
import { feeInvoiceHtml } from '../fee-invoice-document';
import type { ApiRoutes } from '../route';
import { Id } from '../schemas/common';

const FeeInvoiceItem = z.object({
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
  documentUrl: z.string(),
});

export function feeInvoiceRoutes(routes: ApiRoutes, { db }: { db: Db }): void {
  routes.add({
    route: 'GET /v1/me/fee-invoices',
    summary: "The platform's invoices for its fees, addressed to the caller, newest first",
    responses: { 200: { description: 'fee invoices', schema: z.object({ items: z.array(FeeInvoiceItem) }).meta({ id: 'FeeInvoices' }) } },
    handler: async ({ user }) => {
      const items = (await listUserFeeInvoices(db, user.id)).map(({ userId: _u, party: _p, recipientName: _n, recipientEmail: _e, ...f }) => ({
        ...f,
        documentUrl: `/v1/fee-invoices/${f.id}`,
      }));
      return { status: 200, body: { items } };
    },
  });

  routes.add({
    route: 'GET /v1/fee-invoices/:invoiceId',
    summary: 'One fee invoice as a document (HTML)',
    params: z.object({ invoiceId: Id }),
    responses: { 200: { description: 'text/html document' } },
    handler: async ({ res, access: { feeInvoice: invoice } }) => {
      res.type('text/html; charset=utf-8').set('Content-Disposition', `inline; filename="${invoice.number}.html"`);
      return { status: 200, raw: feeInvoiceHtml(invoice) };
    },
  });
}
