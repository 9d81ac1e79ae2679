import { listUserFeeInvoices } from '../../db/fee-invoices';
import type { Db } from '../../db/pool';
import { feeInvoiceHtml } from '../fee-invoice-document';
import type { ApiRoutes } from '../route';
import { FeeInvoiceList, FeeInvoiceParams } from './fee-invoices.schemas';

export function feeInvoiceRoutes(routes: ApiRoutes, { db }: { db: Db }): void {
  routes.add({
    route: 'GET /v1/me/fee-invoices',
    summary: "The platform's invoices for its fees, addressed to the caller, newest first",
    responses: { 200: { description: 'fee invoices', schema: FeeInvoiceList } },
  }).handle(async ({ user }) => {
    const items = (await listUserFeeInvoices(db, user.id)).map(({ userId: _u, party: _p, recipientName: _n, recipientEmail: _e, ...f }) => ({
      ...f,
      documentUrl: `/v1/fee-invoices/${f.id}`,
    }));
    return { status: 200, body: { items } };
  });

  routes.add({
    route: 'GET /v1/fee-invoices/:invoiceId',
    summary: 'One fee invoice as a document (HTML)',
    params: FeeInvoiceParams,
    responses: { 200: { description: 'the invoice, a printable HTML document', contentType: 'text/html' } },
  }).handle(({ res, access: { feeInvoice: invoice } }) => {
    res.set('Content-Disposition', `inline; filename="${invoice.number}.html"`);
    return { status: 200, raw: feeInvoiceHtml(invoice) };
  });
}
