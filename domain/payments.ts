/** Money leaving the platform: payment requests, payouts to providers' banks and refunds to clients' banks. */
export const PAYMENT_REQUEST_STATES = ['submitted', 'scheduled', 'paid', 'rejected', 'failed'] as const;
export type PaymentRequestState = (typeof PAYMENT_REQUEST_STATES)[number];

/** A payment request the milestone accepted: it waits for its payout run. */
export interface ScheduledPaymentRequest {
  id: string;
  projectId: string;
  milestoneId: string;
  providerId: string;
  invoiceId: string;
  invoiceNumber: string;
  /** the invoice's amount: what was released */
  amount: number;
  /** what the provider's bank receives: the amount less the commission */
  payoutAmount: number;
  currency: string;
  scheduledFor: string;
}

/** An order to the payment provider to move money to a user's bank. */
export interface TransferOrder {
  /** the payment provider deduplicates on it: a retried order is the same transfer */
  idempotencyKey: string;
  /** the user whose bank receives the money (the payment provider holds the bank details) */
  beneficiaryId: string;
  amount: number;
  currency: string;
  reference: string;
}

export interface TransferReceipt {
  /** the id the payment provider's `payout.*` / `refund.*` webhooks carry */
  id: string;
  /** `paid`: confirmed at once (sandbox); `pending`: a webhook follows */
  status: 'paid' | 'pending';
}
