import { z } from 'zod';
import { PAYMENT_REQUEST_STATES } from '../../domain/payments';
import { Amount, Id, MAX_AMOUNT, Text } from '../schemas/common';
import { MilestoneStatusView } from './milestones.schemas';

/**
 * An amount as a form field: 1 to MAX_AMOUNT (10^9) in decimal, no sign, no leading zero. The pattern states the
 * bound itself, so that the document says all of it (tests/api/projects.test.ts holds the two together).
 */
export const AMOUNT_FIELD = /^(?:[1-9]\d{0,8}|1000000000)$/;

export const PaymentRequestForm = z.strictObject({
  invoiceNumber: Text(64),
  amount: z.string().regex(AMOUNT_FIELD, 'a positive integer amount in minor units').transform(Number).pipe(Amount),
});

export const PaymentRequestUpload = {
  'multipart/form-data': {
    schema: z.strictObject({
      invoiceNumber: Text(64),
      amount: z.string().regex(AMOUNT_FIELD).meta({ description: `a positive integer amount in minor units, 1 to ${MAX_AMOUNT}` }),
      invoice: z.string().meta({ format: 'binary', description: 'a PDF file (its bytes start with %PDF-), at most 10 MiB' }),
    }),
    encoding: { invoice: { contentType: 'application/pdf' } },
  },
};

export const PaymentRequestParams = z.object({ paymentRequestId: Id });

export const PaymentRequestMade = MilestoneStatusView.extend({
  paymentRequestId: z.string(),
  invoice: z.strictObject({ id: z.string(), sha256: z.string(), sizeBytes: z.number().int() }).meta({ description: 'the stored PDF' }),
}).meta({ id: 'PaymentRequestMade' });

const PaymentRequestItem = z.strictObject({
  id: z.string(),
  projectId: z.string(),
  milestoneId: z.string(),
  invoiceNumber: z.string(),
  invoiceFormat: z.enum(['facturx', 'pdf']).meta({ description: 'facturx: a Factur-X/ZUGFeRD invoice whose XML was checked against the request; pdf: a plain PDF' }),
  amount: z.number().int(),
  currency: z.string(),
  state: z.enum(PAYMENT_REQUEST_STATES),
  payoutAmount: z.number().int().nullable().meta({ description: 'what the provider receives, net of commission' }),
  payoutId: z.string().nullable(),
  attempts: z.number().int(),
  scheduledFor: z.string().nullable(),
  failureReason: z.string().nullable(),
  waitingReason: z.string().nullable().meta({ description: 'why a scheduled payout has not gone yet (the provider refused it for now); it is retried' }),
  createdAt: z.string(),
  paidAt: z.string().nullable(),
});
export const PaymentRequestList = z
  .strictObject({
    items: z.array(PaymentRequestItem),
    payoutAccount: z
      .strictObject({ accountId: z.string().nullable(), payoutsEnabled: z.boolean(), action: z.string().nullable().meta({ description: 'what to do before a payment request is taken (French)' }) })
      .optional()
      .meta({ description: "on rails with onboarding (Stripe): the provider's payout account and, until it can be paid, what to do" }),
  })
  .meta({ id: 'PaymentRequests' });
