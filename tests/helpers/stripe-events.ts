import { randomUUID } from 'node:crypto';
import type { RequestListener } from 'node:http';
import Stripe from 'stripe';
import request from 'supertest';

export const STRIPE_SECRETS = { account: 'whsec_test_platform_endpoint_0000000000', connect: 'whsec_test_connect_endpoint_00000000000' };

const sdk = new Stripe('sk_test_signingOnly');

/**
 * A Stripe event as Stripe sends it (the Event object around `data.object`, `account` on Connect events), signed
 * with the endpoint's secret the way Stripe signs it.
 */
export function signedStripeEvent(type: string, object: Record<string, unknown>, opts: { account?: string; id?: string; secret?: string } = {}) {
  const event = {
    id: opts.id ?? `evt_${randomUUID().replace(/-/g, '')}`,
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
    ...(opts.account ? { account: opts.account } : {}),
  };
  const payload = JSON.stringify(event);
  const secret = opts.secret ?? (opts.account ? STRIPE_SECRETS.connect : STRIPE_SECRETS.account);
  return { event, payload, signature: sdk.webhooks.generateTestHeaderString({ payload, secret }) };
}

export function postStripeEvent(app: RequestListener, type: string, object: Record<string, unknown>, opts: Parameters<typeof signedStripeEvent>[2] = {}) {
  const { payload, signature } = signedStripeEvent(type, object, opts);
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
