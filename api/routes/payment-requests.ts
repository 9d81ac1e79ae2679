import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { RequestHandler } from 'express';
import multer from 'multer';
import { storeInvoice } from '../../db/invoices';
import { findPayoutAccount } from '../../db/payout-accounts';
import type { PaymentProvider } from '../../domain/payment-provider';
import { PAYOUT_ACCOUNT_ACTION } from '../../domain/notifications';
import { insertSubmittedRequest, invoiceNumberTaken, listProviderRequests, rejectRequest } from '../../db/payment-requests';
import type { Db } from '../../db/pool';
import type { Config } from '../../lib/config';
import { requestScopedId } from '../request-context';
import { milestoneWorkflowId, retryPayoutUpdate } from '../../workflows/milestone/contract';
import { handOver } from '../payment-request-handover';
import { checkProviderInvoice } from '../invoices/provider-invoice-check';
import { IsolatedInvoiceInspector } from '../../lib/facturx/inspect-isolated';
import { requireEscrow, requireMilestone } from '../access';
import { HttpProblem } from '../problem';
import { actorOf } from '../middleware/auth';
import { bodyTextGuard } from '../middleware/text-guard';
import type { ApiRoutes } from '../route';
import { MilestoneParams, MilestoneStatusView } from './milestones.schemas';
import { PaymentRequestForm, PaymentRequestList, PaymentRequestMade, PaymentRequestParams, PaymentRequestUpload } from './payment-requests.schemas';

const PDF_SIGNATURE = Buffer.from('%PDF-');

const duplicateNumber = (invoiceNumber: string) =>
  new HttpProblem(422, `invoice number ${invoiceNumber} was already used in another payment request`, 'duplicate-invoice-number');

export function paymentRequestRoutes(routes: ApiRoutes, { db, temporal, config, payments }: { db: Db; temporal: Client; config: Config; payments: PaymentProvider }) {
  const parse = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: config.INVOICE_MAX_BYTES, files: 1, fields: 5, fieldSize: 1024, parts: 6 },
  }).single('invoice');
  const inspector = new IsolatedInvoiceInspector();
  /** Any failure to read the form (no boundary, truncated body, a limit) is the caller's: 400 or 413, never 5xx. */
  const upload: RequestHandler = (req, res, next) => {
    parse(req, res, (err: unknown) => {
      if (!err) return next();
      const code = (err as { code?: string }).code;
      if (code === 'LIMIT_FILE_SIZE' || code === 'LIMIT_FIELD_VALUE') return next(err);
      next(new HttpProblem(400, `the multipart body could not be read: ${(err as Error).message}`, 'invalid-input'));
    });
  };

  routes.add({
    route: 'POST /v1/projects/:projectId/milestones/:milestoneId/payment-requests',
    summary: 'The provider uploads the invoice (PDF) for the released amount; a Factur-X one is checked against the request (422 invoice-mismatch)',
    params: MilestoneParams,
    before: [
      (req, _res, next) => {
        if (!req.is('multipart/form-data')) throw new HttpProblem(415, 'send multipart/form-data with the file "invoice"');
        next();
      },
      upload,
      bodyTextGuard,
    ],
    requestContent: PaymentRequestUpload,
    body: PaymentRequestForm,
    responses: { 201: { description: 'the payment request, scheduled for payout', schema: PaymentRequestMade } },
  }).handle(async ({ req, user, params, body, access: { project } }) => {
    const file = req.file;
    if (!file) throw new HttpProblem(400, 'the file "invoice" is required', 'invalid-input', [{ path: 'invoice', message: 'required' }]);
    if (!file.buffer.subarray(0, PDF_SIGNATURE.length).equals(PDF_SIGNATURE)) {
      throw new HttpProblem(415, 'the invoice must be a PDF file', 'unsupported-media-type');
    }
    requireEscrow(project);
    requireMilestone(project, params.milestoneId);
    if (payments.needsOnboarding && !(await findPayoutAccount(db, user.id))?.payoutsEnabled) {
      throw new HttpProblem(
        422,
        'your payout account cannot receive payouts yet: finish its onboarding (POST /v1/me/payout-account gives the link), then send the invoice again',
        'payout-account-not-ready',
      );
    }
    const requestId = requestScopedId('pr');
    // refusals that need no reading of the file come first: reading a PDF is the expensive part
    if (await invoiceNumberTaken(db, user.id, body.invoiceNumber, requestId)) throw duplicateNumber(body.invoiceNumber);
    const format = await checkProviderInvoice(file.buffer, {
      invoiceNumber: body.invoiceNumber, amount: body.amount, currency: project.currency, provider: project.provider, client: project.client,
    }, (pdf) => inspector.inspect(pdf));
    const invoice = await storeInvoice(db, {
      id: requestScopedId('inv'),
      providerId: user.id,
      milestoneId: params.milestoneId,
      invoiceNumber: body.invoiceNumber,
      fileName: file.originalname.slice(0, 200),
      contentType: 'application/pdf',
      content: file.buffer,
      format,
    });
    const request = {
      id: requestId, milestone_id: params.milestoneId, provider_id: user.id, invoice_id: invoice.id,
      invoice_number: body.invoiceNumber, amount: body.amount,
    };
    const recorded = await insertSubmittedRequest(db, {
      id: request.id, projectId: project.id, milestoneId: params.milestoneId, providerId: user.id, invoiceId: invoice.id,
      invoiceNumber: body.invoiceNumber, amount: body.amount, currency: project.currency,
    });
    if (recorded === 'number-used') throw duplicateNumber(body.invoiceNumber);
    try {
      const status = await handOver(temporal, request);
      return { status: 201, body: { ...status, paymentRequestId: request.id, invoice: { id: invoice.id, sha256: invoice.sha256, sizeBytes: invoice.sizeBytes } } };
    } catch (err) {
      // Refused: the request stays on the dashboard as rejected, with the reason. Anything else is ambiguous (the
      // workflow may have accepted it): the request stays submitted, and is handed over again by the retry or by
      // the sweep (api/payment-request-handover.ts) under the same update id.
      if (err instanceof WorkflowUpdateFailedError) await rejectRequest(db, request.id, err.cause?.message ?? 'refused');
      throw err;
    }
  });

  routes.add({
    route: 'POST /v1/payment-requests/:paymentRequestId/retry',
    summary: 'After a failed payout (new bank details given to the payment provider): pay again, without a new invoice',
    params: PaymentRequestParams,
    responses: { 200: { description: 'the milestone, its payout scheduled again', schema: MilestoneStatusView } },
  }).handle(async ({ user, access: { paymentRequest: request } }) => {
    const status = await temporal.workflow
      .getHandle(milestoneWorkflowId(request.milestone_id))
      .executeUpdate(retryPayoutUpdate, { args: [{ actor: actorOf(user), paymentRequestId: request.id }] });
    return { status: 200, body: status };
  });

  routes.add({
    route: 'GET /v1/me/payment-requests',
    summary: "The provider's payment-request dashboard, newest first",
    responses: { 200: { description: 'payment requests', schema: PaymentRequestList } },
  }).handle(async ({ user }) => {
    const items = await listProviderRequests(db, user.id);
    if (!payments.needsOnboarding) return { status: 200, body: { items } };
    const account = await findPayoutAccount(db, user.id);
    const payoutAccount = { accountId: account?.accountId ?? null, payoutsEnabled: account?.payoutsEnabled ?? false, action: account?.payoutsEnabled ? null : PAYOUT_ACCOUNT_ACTION };
    return { status: 200, body: { items, payoutAccount } };
  });
}
