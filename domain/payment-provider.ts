/**
 * The port to the payment provider that holds the escrow: deposit instructions, provider onboarding, payouts and
 * refunds. One adapter per rail (lib/payment-providers/): `sandbox` confirms by itself, `webhook` sends signed orders
 * to PAYMENT_ORDERS_URL and waits for the generic webhooks, `stripe` runs on Stripe Connect.
 */
export const PAYMENT_RAILS = ['sandbox', 'webhook', 'stripe'] as const;
export type PaymentRail = (typeof PAYMENT_RAILS)[number];

/** An order to move money to a user's bank; the provider deduplicates on the idempotency key. */
export interface PayoutOrder {
  /** `payout:<paymentRequestId>:<attempt>`: a retried activity orders the same payout */
  idempotencyKey: string;
  /** the provider (user id) whose bank receives the money */
  beneficiaryId: string;
  /** the provider's account at the payment provider, when the rail has one (Stripe: the connected account) */
  accountId?: string;
  amount: number;
  currency: string;
  /** the payment request paid */
  reference: string;
  milestoneId: string;
  /** the deposit's charge the money came with (Stripe: the transfer's `source_transaction`) */
  sourceCharge?: string;
  /**
   * Stripe: the Transfer an earlier attempt of this payment request made (the money is on the provider's account:
   * only a payout is needed), and where to keep the one this order makes, before its payout is asked for
   */
  transferId?: string;
  keepTransfer?: (transferId: string) => Promise<void>;
  /** 1, then one more after each refusal for now: a provider that keeps a refusal under its key needs a fresh key */
  try?: number;
}

export interface RefundOrder {
  /** `<refundId>:<attempt>` */
  idempotencyKey: string;
  /** the client (user id) whose bank receives the money */
  beneficiaryId: string;
  amount: number;
  currency: string;
  /** our refund id */
  reference: string;
  milestoneId: string;
  /** the deposit refunded (Stripe: the PaymentIntent) */
  paymentIntentId?: string;
}

export interface TransferReceipt {
  /** the id the provider's `payout.*` / `refund.*` events carry */
  id: string;
  /** `paid`: confirmed at once (sandbox); `pending`: an event follows */
  status: 'paid' | 'pending';
}

/** Where a provider's payouts go, and whether the payment provider lets them go yet. */
export interface PayoutAccount {
  accountId: string;
  /** a fresh single-use onboarding link (Stripe); null on rails without onboarding */
  onboardingUrl: string | null;
  payoutsEnabled: boolean;
}

export interface PayoutAccountRequest {
  providerId: string;
  email: string;
  /** the account created by an earlier call: reused, only a fresh link is made */
  existingAccountId?: string;
}

export interface DepositRequest {
  projectId: string;
  milestoneId: string;
  /** what is due now: the rest of the amount and of the escrow fee */
  amount: number;
  currency: string;
  idempotencyKey: string;
  /** an open intent for another amount, cancelled before the new one is made */
  replaces?: string;
}

/** How the client pays what is due: a Stripe PaymentIntent to confirm, or a reference for the generic rails. */
export type DepositInstructions =
  | { provider: 'stripe'; paymentIntentId: string; clientSecret: string; amount: number; currency: string }
  | { provider: 'sandbox' | 'webhook'; reference: string; amount: number; currency: string };

export interface PaymentProvider {
  readonly rail: PaymentRail;
  /** true when a provider must be onboarded (and `payoutsEnabled`) before a payment request is taken */
  readonly needsOnboarding: boolean;
  openPayoutAccount(request: PayoutAccountRequest): Promise<PayoutAccount>;
  depositInstructions(request: DepositRequest): Promise<DepositInstructions>;
  payout(order: PayoutOrder): Promise<TransferReceipt>;
  refund(order: RefundOrder): Promise<TransferReceipt>;
}

/**
 * The provider refused for now, for a reason time fixes (Stripe: the connected account's balance is short until the
 * charge settles): the order is retried with backoff and the payment request shows the reason.
 */
export class RetryLater extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RetryLater';
  }
}
