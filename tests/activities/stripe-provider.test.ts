import { RetryLater } from '../../domain/payment-provider';
import { DEV_STRIPE_SECRET_KEY } from '../../dev/stripe-mock';
import { stripeProvider } from '../../lib/payment-providers/stripe';
import { startStripeRecorder, type StripeRecorder } from '../helpers/stripe-recorder';

// Stripe's answer to a payout the connected account's available balance cannot cover (its documented error shape).
const BALANCE_INSUFFICIENT = {
  error: {
    code: 'balance_insufficient',
    doc_url: 'https://stripe.com/docs/error-codes/balance-insufficient',
    message: 'You have insufficient funds in your Stripe account for this transfer. Your card balance is too low.',
    request_log_url: 'https://dashboard.stripe.com/test/logs/req_recorded',
    type: 'invalid_request_error',
  },
};

let stripe: StripeRecorder;
beforeAll(async () => {
  stripe = await startStripeRecorder(process.env.STRIPE_MOCK_URL!);
});
afterAll(() => stripe.close());
beforeEach(() => stripe.calls.splice(0));

const provider = () => stripeProvider({ secretKey: DEV_STRIPE_SECRET_KEY, apiUrl: stripe.url, platformUrl: 'https://marketplace.example' });
const order = { idempotencyKey: 'payout:pr_1:1', beneficiaryId: 'p-1', accountId: 'acct_1', amount: 90000, currency: 'EUR', reference: 'pr_1', milestoneId: 'ms_1', sourceCharge: 'ch_1' };

test('a payout is a transfer to the connected account, from the deposit\'s charge, then a payout on that account', async () => {
  const kept: string[] = [];
  const receipt = await provider().payout({ ...order, keepTransfer: (id) => Promise.resolve(void kept.push(id)) });
  expect(receipt).toEqual({ id: expect.stringMatching(/^po_/), status: 'pending' });
  expect(stripe.calls.map((c) => [c.method, c.path, c.idempotencyKey, c.stripeAccount])).toEqual([
    ['POST', '/v1/transfers', 'payout:pr_1:transfer', undefined],
    ['POST', '/v1/payouts', 'payout:pr_1:1:payout:1', 'acct_1'],
  ]);
  expect(kept).toEqual([stripe.calls[0].response.id]);
  expect(stripe.calls[0].params).toMatchObject({ amount: '90000', currency: 'eur', destination: 'acct_1', source_transaction: 'ch_1', transfer_group: 'ms_1' });
});

test('a payout the balance cannot cover yet is "retry later"; the transfer is kept, the next try asks only for a payout, under a new key', async () => {
  stripe.answerOnce('POST', /^\/v1\/payouts$/, 400, BALANCE_INSUFFICIENT);
  let transferId: string | undefined;
  const refused = await provider().payout({ ...order, keepTransfer: (id) => Promise.resolve(void (transferId = id)) }).catch((err: unknown) => err);
  expect(refused).toBeInstanceOf(RetryLater);
  expect((refused as RetryLater).reason).toMatch(/balance does not cover the payout yet \(balance_insufficient\)/);
  expect(transferId).toMatch(/^tr_/);
  await provider().payout({ ...order, transferId, try: 2 });
  expect(stripe.calls.map((c) => c.idempotencyKey)).toEqual(['payout:pr_1:transfer', 'payout:pr_1:1:payout:1', 'payout:pr_1:1:payout:2']);
});

test('any other refusal is an error the activity retries as it is', async () => {
  stripe.answerOnce('POST', /^\/v1\/payouts$/, 400, { error: { code: 'account_invalid', message: 'The account is not valid.', type: 'invalid_request_error' } });
  const failed = await provider().payout(order).catch((err: unknown) => err);
  expect(failed).not.toBeInstanceOf(RetryLater);
  expect((failed as Error).message).toMatch(/The account is not valid/);
});

test('a refund goes back on the deposit\'s PaymentIntent, under our key; it is confirmed by its events', async () => {
  const receipt = await provider().refund({ idempotencyKey: 'rf_ms_1_1:1', beneficiaryId: 'c-1', amount: 1000, currency: 'EUR', reference: 'rf_ms_1_1', milestoneId: 'ms_1', paymentIntentId: 'pi_1' });
  expect(receipt).toEqual({ id: expect.stringMatching(/^re_/), status: 'pending' });
  expect(stripe.calls[0]).toMatchObject({ path: '/v1/refunds', idempotencyKey: 'rf_ms_1_1:1', params: { payment_intent: 'pi_1', amount: '1000', 'metadata[refundId]': 'rf_ms_1_1', 'metadata[milestoneId]': 'ms_1' } });
  await expect(provider().refund({ idempotencyKey: 'rf:1', beneficiaryId: 'c-1', amount: 1, currency: 'EUR', reference: 'rf', milestoneId: 'ms_1' })).rejects.toThrow(/no deposit to refund/);
});

test('onboarding: an Express account with manual payouts, made once; every call a fresh account link', async () => {
  const first = await provider().openPayoutAccount({ providerId: 'p-1', email: 'p@example.test' });
  expect(first).toMatchObject({ accountId: expect.stringMatching(/^acct_/), onboardingUrl: expect.stringMatching(/^https:/), payoutsEnabled: false });
  await provider().openPayoutAccount({ providerId: 'p-1', email: 'p@example.test', existingAccountId: first.accountId });
  expect(stripe.calls.map((c) => c.path)).toEqual(['/v1/accounts', '/v1/account_links', '/v1/account_links']);
  expect(stripe.calls[0]).toMatchObject({
    idempotencyKey: 'account:p-1',
    params: expect.objectContaining({ type: 'express', country: 'FR', 'capabilities[transfers][requested]': 'true', 'settings[payouts][schedule][interval]': 'manual', 'metadata[providerId]': 'p-1' }),
  });
  expect(stripe.calls[2].params).toMatchObject({ account: first.accountId, type: 'account_onboarding', return_url: 'https://marketplace.example/payout-account/done' });
});

test('a deposit intent for another amount cancels the one it replaces first', async () => {
  const made = await provider().depositInstructions({ projectId: 'prj_1', milestoneId: 'ms_1', amount: 61800, currency: 'EUR', idempotencyKey: 'deposit:ms_1:2:61800', replaces: 'pi_old' });
  expect(made).toMatchObject({ provider: 'stripe', paymentIntentId: expect.stringMatching(/^pi_/), amount: 61800, currency: 'EUR' });
  expect(stripe.calls.map((c) => [c.path, c.idempotencyKey])).toEqual([
    ['/v1/payment_intents/pi_old/cancel', 'cancel:pi_old'],
    ['/v1/payment_intents', 'deposit:ms_1:2:61800'],
  ]);
  expect(stripe.calls[1].params).toMatchObject({ 'payment_method_types[0]': 'card', 'payment_method_types[1]': 'sepa_debit', transfer_group: 'ms_1' });
});
