import { listUserFeeInvoices } from '../../db/fee-invoices';
import type { Db } from '../../db/pool';
import type { InvoicingSettings } from '../../lib/invoicing';
import { facturxAnswer } from '../invoices/facturx-answer';
import { invoiceHtml } from '../invoices/fee-invoice-html';
import { feeInvoiceDocument } from '../invoices/fee-invoice-model';
import type { ApiRoutes } from '../route';
import { FeeInvoiceList, FeeInvoiceParams } from './fee-invoices.schemas';

/** A document the caller asked for as a PDF (Factur-X): `Accept: application/pdf` preferred to the usual type (HTML, JSON). */
export const wantsPdf = (accepts: (types: string[]) => string | false, usual = 'text/html'): boolean => accepts([usual, 'application/pdf']) === 'application/pdf';

export function feeInvoiceRoutes(routes: ApiRoutes, { db, invoicing }: { db: Db; invoicing: InvoicingSettings }): void {
  routes.add({
    route: 'GET /v1/me/fee-invoices',
    summary: "The platform's invoices for its fees and its credit notes, addressed to the caller, newest first",
    responses: { 200: { description: 'fee invoices and credit notes', schema: FeeInvoiceList } },
  }).handle(async ({ user }) => {
    const items = (await listUserFeeInvoices(db, user.id)).map((f) => ({
      id: f.id,
      number: f.number,
      kind: f.document,
      fee: f.kind,
      projectId: f.projectId,
      projectTitle: f.projectTitle,
      milestoneId: f.milestoneId,
      milestoneTitle: f.milestoneTitle,
      baseAmount: f.baseAmount,
      amount: f.amount,
      netAmount: f.netAmount,
      vatAmount: f.vatAmount,
      vatRate: f.vatRatePpm / 1_000_000,
      currency: f.currency,
      description: f.description,
      issuedAt: f.issuedAt,
      ...(f.credited ? { creditedInvoice: { id: f.credited.id, number: f.credited.number } } : {}),
      documentUrl: `/v1/fee-invoices/${f.id}`,
    }));
    return { status: 200, body: { items } };
  });

  routes.add({
    route: 'GET /v1/fee-invoices/:invoiceId',
    summary: 'One fee invoice or credit note as a document: Factur-X (PDF/A-3 with its CII XML) with Accept: application/pdf, else an HTML page',
    params: FeeInvoiceParams,
    responses: { 200: { description: 'the document', contentTypes: ['text/html', 'application/pdf'] } },
  }).handle(async ({ req, res, access: { feeInvoice: invoice } }) => {
    const document = feeInvoiceDocument(invoice, invoicing.seller);
    res.vary('Accept');
    if (wantsPdf((types) => req.accepts(types))) {
      res.set('Content-Disposition', `inline; filename="${invoice.number}.pdf"`);
      return { status: 200, contentType: 'application/pdf', raw: await facturxAnswer(document) };
    }
    res.set('Content-Disposition', `inline; filename="${invoice.number}.html"`);
    return { status: 200, contentType: 'text/html', raw: invoiceHtml(document) };
  });
}
