import { createHash } from 'node:crypto';
import type { PaymentProvider, PayoutOrder, RefundOrder, TransferReceipt } from '../../domain/payment-provider';
import { signPayload } from '../webhook-signature';

export interface WebhookOrdersOptions {
  /** PAYMENT_ORDERS_URL */
  ordersUrl: string;
  /** PAYMENTS_WEBHOOK_SECRET: orders are signed as the provider signs its webhooks */
  secret: string;
  /** how long one order waits for the provider's answer; default 10 s */
  timeoutMs?: number;
}

export type PaymentOrderType = 'payout.order' | 'refund.order';

/** `<prefix>_` and 24 hex of the key's SHA-256: the same order always has the same payout id. */
export const payoutIdFor = (prefix: string, idempotencyKey: string): string =>
  `${prefix}_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24)}`;

const excerpt = (text: string) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
};

/** Why fetch threw; duck-typed, since its errors may come from another realm than ours (a test runner's). */
const reason = (err: unknown): string => {
  const e = err as { name?: string; message?: string; cause?: { message?: string; code?: string } } | undefined;
  if (e?.name === 'TimeoutError') return 'no answer in time';
  return [e?.message || String(err), e?.cause?.message || e?.cause?.code].filter(Boolean).join(': ');
};

/**
 * The generic rail: each payout and refund is a signed JSON order POSTed to the provider, which answers 2xx once it
 * has taken it and reports the outcome later through `payout.*` / `refund.*` webhooks. Any other answer throws, so the
 * calling activity is retried with backoff; the retry carries the same Idempotency-Key, on which the provider
 * deduplicates.
 */
export function webhookOrdersProvider({ ordersUrl, secret, timeoutMs = 10_000 }: WebhookOrdersOptions): PaymentProvider {
  async function send(type: PaymentOrderType, idempotencyKey: string, data: Record<string, unknown>): Promise<void> {
    const body = JSON.stringify({ id: idempotencyKey, type, createdAt: new Date().toISOString(), data });
    const headers = { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey, 'Payment-Signature': signPayload(secret, body) };
    let res: Response;
    try {
      res = await fetch(ordersUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new Error(`${type} ${idempotencyKey}: payment orders endpoint ${ordersUrl} not reached: ${reason(err)}`, { cause: err });
    }
    const answer = await res.text().catch(() => '');
    if (!res.ok) throw new Error(`${type} ${idempotencyKey}: payment orders endpoint answered ${res.status}: ${excerpt(answer)}`);
  }

  return {
    rail: 'webhook',
    needsOnboarding: false,
    openPayoutAccount: (r) => Promise.resolve({ accountId: r.providerId, onboardingUrl: null, payoutsEnabled: true }),
    depositInstructions: (r) => Promise.resolve({ provider: 'webhook', reference: r.milestoneId, amount: r.amount, currency: r.currency }),

    async payout(o: PayoutOrder): Promise<TransferReceipt> {
      const payoutId = payoutIdFor('po', o.idempotencyKey);
      const { beneficiaryId, amount, currency, reference, milestoneId } = o;
      await send('payout.order', o.idempotencyKey, { payoutId, beneficiaryId, amount, currency, reference, milestoneId });
      return { id: payoutId, status: 'pending' };
    },

    async refund(o: RefundOrder): Promise<TransferReceipt> {
      const { beneficiaryId, amount, currency, milestoneId } = o;
      await send('refund.order', o.idempotencyKey, { refundId: o.reference, beneficiaryId, amount, currency, milestoneId });
      return { id: o.reference, status: 'pending' };
    },
  };
}
