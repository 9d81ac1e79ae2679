import Stripe from 'stripe';

/**
 * The SDK's `host`, `port` and `protocol` for an API base URL such as stripe-mock's `http://127.0.0.1:12111`.
 * The SDK has no base path, so a URL with one is refused rather than silently cut.
 */
export function stripeClientOptions(apiUrl: string): Pick<Stripe.StripeConfig, 'host' | 'port' | 'protocol'> {
  const url = new URL(apiUrl);
  const protocol = url.protocol.slice(0, -1);
  if (protocol !== 'http' && protocol !== 'https') throw new Error(`STRIPE_API_URL ${apiUrl}: http or https only`);
  if (url.pathname !== '/' || url.search || url.hash || url.username) {
    throw new Error(`STRIPE_API_URL ${apiUrl}: scheme, host and port only`);
  }
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'), // IPv6 without its brackets, as Node's http wants it
    port: url.port || (protocol === 'https' ? 443 : 80),
    protocol,
  };
}

/**
 * A Stripe client that never retries by itself (Temporal retries the activity, with the same idempotency key), on
 * Stripe's API or, with `apiUrl`, on another (stripe-mock).
 */
export function createStripeClient(opts: { secretKey: string; apiUrl?: string }): Stripe {
  return new Stripe(opts.secretKey, {
    maxNetworkRetries: 0,
    timeout: 20_000,
    ...(opts.apiUrl ? stripeClientOptions(opts.apiUrl) : {}),
  });
}
