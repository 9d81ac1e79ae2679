import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';

/**
 * A Stripe event as Stripe sends it (the Event object around `data.object`, `account` on a Connect event), and its
 * Stripe-Signature header made with the endpoint's secret: what stripe-mock cannot send, for the walk-through and
 * the tests.
 */
export function signedStripeEvent(type: string, object: unknown, opts: { secret: string; account?: string; id?: string }) {
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
  return { event, payload, signature: SIGNER.webhooks.generateTestHeaderString({ payload, secret: opts.secret }) };
}

// Signing needs no key; the SDK wants one to be built.
const SIGNER = new Stripe('sk_test_signingOnly');
