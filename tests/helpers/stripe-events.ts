import type { RequestListener } from 'node:http';
import request from 'supertest';
import { signedStripeEvent } from '../../dev/stripe-events';
import { DEV_STRIPE_SECRET_KEY } from '../../dev/stripe-mock';

export const STRIPE_SECRETS = { account: 'whsec_test_platform_endpoint_0000000000', connect: 'whsec_test_connect_endpoint_00000000000' };

/** The settings of a platform on the Stripe rail against `apiUrl` (stripe-mock, or a recorder in front of it). */
export const stripeSettings = (apiUrl: string) => ({
  PAYMENT_PROVIDER: 'stripe',
  STRIPE_API_URL: apiUrl,
  STRIPE_SECRET_KEY: DEV_STRIPE_SECRET_KEY,
  STRIPE_WEBHOOK_SECRET: STRIPE_SECRETS.account,
  STRIPE_CONNECT_WEBHOOK_SECRET: STRIPE_SECRETS.connect,
});

/** Posts a Stripe event signed with the account endpoint's secret, or the Connect endpoint's when it names an account. */
export function postStripeEvent(app: RequestListener, type: string, object: Record<string, unknown>, opts: { account?: string; id?: string; secret?: string } = {}) {
  const secret = opts.secret ?? (opts.account ? STRIPE_SECRETS.connect : STRIPE_SECRETS.account);
  const { payload, signature } = signedStripeEvent(type, object, { ...opts, secret });
  return request(app).post('/v1/webhooks/stripe').set('content-type', 'application/json').set('stripe-signature', signature).send(payload);
}

/** Stripe's objects, with the fields the platform reads (the rest of each shape is Stripe's own). */
export const stripeObjects = {
  paymentIntent: (id: string, amount: number, over: Record<string, unknown> = {}) => ({
    id, object: 'payment_intent', amount, amount_received: amount, currency: 'eur', status: 'succeeded', latest_charge: `ch_${id.slice(3)}`, metadata: {}, ...over,
  }),
  account: (id: string, payoutsEnabled: boolean) => ({ id, object: 'account', type: 'express', payouts_enabled: payoutsEnabled, charges_enabled: payoutsEnabled }),
  payout: (id: string, status: 'paid' | 'failed', over: Record<string, unknown> = {}) => ({ id, object: 'payout', status, amount: 0, currency: 'eur', ...over }),
  refund: (id: string, status: 'succeeded' | 'failed' | 'pending', over: Record<string, unknown> = {}) => ({ id, object: 'refund', status, ...over }),
  dispute: (id: string, d: { amount: number; charge: string; paymentIntent?: string; status: string; balanceTransactions?: { amount: number; fee: number }[] }) => ({
    id, object: 'dispute', amount: d.amount, charge: d.charge, payment_intent: d.paymentIntent ?? null, currency: 'eur', status: d.status, reason: 'fraudulent',
    balance_transactions: (d.balanceTransactions ?? []).map((t, i) => ({ id: `txn_${id}_${i}`, object: 'balance_transaction', amount: t.amount, fee: t.fee, net: t.amount - t.fee })),
  }),
};
