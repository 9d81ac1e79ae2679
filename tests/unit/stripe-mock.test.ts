import Stripe from 'stripe';
import { DEV_STRIPE_SECRET_KEY } from '../../dev/stripe-mock';
import { createStripeClient, stripeClientOptions } from '../../lib/stripe-client';

function mockUrl(): string {
  const url = process.env.STRIPE_MOCK_URL;
  if (!url) throw new Error('no STRIPE_MOCK_URL (tests/helpers/global-setup.ts): run `bash scripts/install-stripe-mock.sh`');
  return url;
}

describe('stripeClientOptions', () => {
  test('turns an API base URL into the SDK host, port and protocol', () => {
    expect(stripeClientOptions('http://127.0.0.1:12111')).toEqual({ host: '127.0.0.1', port: '12111', protocol: 'http' });
    expect(stripeClientOptions('https://api.stripe.com/')).toEqual({ host: 'api.stripe.com', port: 443, protocol: 'https' });
    expect(stripeClientOptions('http://[::1]:12111')).toEqual({ host: '::1', port: '12111', protocol: 'http' });
  });

  test('refuses what the SDK cannot follow', () => {
    expect(() => stripeClientOptions('ftp://127.0.0.1:12111')).toThrow(/http or https only/);
    expect(() => stripeClientOptions('http://127.0.0.1:12111/stripe')).toThrow(/scheme, host and port only/);
  });
});

describe('the Stripe SDK on stripe-mock (the run’s, global-setup.ts)', () => {
  const stripe = () => createStripeClient({ secretKey: DEV_STRIPE_SECRET_KEY, apiUrl: mockUrl() });

  test('a well-formed PaymentIntent is created', async () => {
    const intent = await stripe().paymentIntents.create({ amount: 12_345, currency: 'eur' }, { idempotencyKey: 'deposit:t-1:1' });
    expect(intent.id).toMatch(/^pi_/);
    expect(intent.amount).toBe(12_345); // the mock echoes what it was sent
  });

  test('an ill-typed parameter is refused against the OpenAPI spec', async () => {
    const sent = stripe().paymentIntents.create({ amount: 'abc' as never, currency: 'eur' });
    await expect(sent).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    await expect(sent).rejects.toThrow(/amount.*not numeric/);
  });

  test('an unknown parameter is refused', async () => {
    const sent = stripe().paymentIntents.create({ amount: 100, currency: 'eur', no_such_param: 1 } as Stripe.PaymentIntentCreateParams);
    await expect(sent).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    await expect(sent).rejects.toThrow(/additional properties are not allowed/);
  });

  test('an API version other than the mock’s is refused: the SDK pin (stripe 22.6.x) must match stripe-mock’s', async () => {
    const old = new Stripe(DEV_STRIPE_SECRET_KEY, { ...stripeClientOptions(mockUrl()), apiVersion: '2025-01-27.acacia' as never });
    await expect(old.paymentIntents.create({ amount: 100, currency: 'eur' })).rejects.toThrow(/doesn't match version in OpenAPI/);
  });

  test('a live key is refused: the mock takes test keys only', async () => {
    const live = createStripeClient({ secretKey: 'sk_live_not_a_real_key', apiUrl: mockUrl() });
    await expect(live.paymentIntents.create({ amount: 100, currency: 'eur' })).rejects.toBeInstanceOf(Stripe.errors.StripeError);
  });
});
