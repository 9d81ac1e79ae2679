import type { PaymentProvider } from '../../domain/payment-provider';
import { payoutIdFor } from './webhook-orders';

/** Confirms every deposit instruction, account and transfer by itself: for demos and tests without a payment provider. */
export function sandboxProvider(): PaymentProvider {
  return {
    rail: 'sandbox',
    needsOnboarding: false,
    openPayoutAccount: (r) => Promise.resolve({ accountId: `acct_sbx_${r.providerId}`, onboardingUrl: null, payoutsEnabled: true }),
    depositInstructions: (r) => Promise.resolve({ provider: 'sandbox', reference: r.milestoneId, amount: r.amount, currency: r.currency }),
    payout: (o) => Promise.resolve({ id: payoutIdFor('po_sbx', o.idempotencyKey), status: 'paid' }),
    refund: (o) => Promise.resolve({ id: o.reference, status: 'paid' }),
  };
}
