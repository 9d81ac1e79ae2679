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
