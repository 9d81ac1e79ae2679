import type Stripe from 'stripe';
import {
  RetryLater,
  type DepositInstructions,
  type DepositRequest,
  type PaymentProvider,
  type PayoutAccount,
  type PayoutAccountRequest,
  type PayoutOrder,
  type RefundOrder,
  type TransferReceipt,
} from '../../domain/payment-provider';
import { createStripeClient } from '../stripe-client';

export interface StripeProviderOptions {
  secretKey: string;
  apiUrl?: string;
  /** base of the onboarding links' return and refresh pages */
  platformUrl: string;
  /** tests pass a client of their own (e.g. one that records requests) */
  client?: Stripe;
}

/** Stripe refuses a payout the connected account's available balance cannot cover (the charge has not settled). */
const SHORT_BALANCE = new Set(['balance_insufficient', 'insufficient_funds']);

function stripeCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/**
 * Stripe Connect, separate charges and transfers: deposits are PaymentIntents on the platform's account, a provider
 * is paid by a Transfer to their Express account followed by a payout on that account (manual schedule, so the
 * platform knows each payout's id), a refund is a Refund on the deposit's PaymentIntent. Every call that creates
 * money movement carries an idempotency key derived from ours: a retried activity never moves money twice.
 */
export function stripeProvider(options: StripeProviderOptions): PaymentProvider {
  const stripe = options.client ?? createStripeClient({ secretKey: options.secretKey, apiUrl: options.apiUrl });
  const links = {
    refresh_url: `${options.platformUrl}/payout-account/refresh`,
    return_url: `${options.platformUrl}/payout-account/done`,
  };

  return {
    rail: 'stripe',
    needsOnboarding: true,

    async openPayoutAccount(r: PayoutAccountRequest): Promise<PayoutAccount> {
      const accountId =
        r.existingAccountId ??
        (
          await stripe.accounts.create(
            {
              type: 'express',
              country: 'FR',
              email: r.email,
              capabilities: { transfers: { requested: true } },
              settings: { payouts: { schedule: { interval: 'manual' } } },
              metadata: { providerId: r.providerId },
            },
            { idempotencyKey: `account:${r.providerId}` },
          )
        ).id;
      // Account links are single-use: each call makes a fresh one, without an idempotency key.
      const link = await stripe.accountLinks.create({ account: accountId, type: 'account_onboarding', ...links });
      return { accountId, onboardingUrl: link.url, payoutsEnabled: false };
    },

    async depositInstructions(d: DepositRequest): Promise<DepositInstructions> {
      if (d.replaces) await stripe.paymentIntents.cancel(d.replaces, {}, { idempotencyKey: `cancel:${d.replaces}` });
      const intent = await stripe.paymentIntents.create(
        {
          amount: d.amount,
          currency: d.currency.toLowerCase(),
          transfer_group: d.milestoneId,
          metadata: { projectId: d.projectId, milestoneId: d.milestoneId },
          payment_method_types: ['card', 'sepa_debit'],
        },
        { idempotencyKey: d.idempotencyKey },
      );
      return { provider: 'stripe', paymentIntentId: intent.id, clientSecret: intent.client_secret ?? '', amount: d.amount, currency: d.currency };
    },

    async payout(o: PayoutOrder): Promise<TransferReceipt> {
      if (!o.accountId) throw new Error(`no connected account for provider ${o.beneficiaryId}`);
      const currency = o.currency.toLowerCase();
      const metadata = { paymentRequestId: o.reference, milestoneId: o.milestoneId };
      // One Transfer per payment request: after a failed payout the money is back on the provider's account.
      if (!o.transferId) {
        const transfer = await stripe.transfers.create(
          { amount: o.amount, currency, destination: o.accountId, transfer_group: o.milestoneId, metadata, ...(o.sourceCharge ? { source_transaction: o.sourceCharge } : {}) },
          { idempotencyKey: `payout:${o.reference}:transfer` },
        );
        await o.keepTransfer?.(transfer.id);
      }
      try {
        // Stripe keeps a refusal under its key: each try after a refusal has its own (the caller counts them).
        const payout = await stripe.payouts.create({ amount: o.amount, currency, metadata }, { stripeAccount: o.accountId, idempotencyKey: `${o.idempotencyKey}:payout:${o.try ?? 1}` });
        return { id: payout.id, status: 'pending' };
      } catch (err) {
        const code = stripeCode(err);
        if (code && SHORT_BALANCE.has(code)) {
          throw new RetryLater(`the provider's Stripe balance does not cover the payout yet (${code}): the deposit's funds are not available yet`);
        }
        throw err;
      }
    },

    async refund(o: RefundOrder): Promise<TransferReceipt> {
      if (!o.paymentIntentId) throw new Error(`no deposit to refund for ${o.reference}`);
      const refund = await stripe.refunds.create(
        { payment_intent: o.paymentIntentId, amount: o.amount, metadata: { refundId: o.reference, milestoneId: o.milestoneId, order: o.idempotencyKey } },
        { idempotencyKey: o.idempotencyKey },
      );
      // Confirmed by the refund.* events, even when the creation already says `succeeded`: one path for both.
      return { id: refund.id, status: 'pending' };
    },
  };
}
