import { createHash } from 'node:crypto';
import type { TransferOrder, TransferReceipt } from '../../domain/payments';

/** The boundary to the payment provider: payouts to providers' banks and refunds to clients' banks. */
export interface PaymentGateway {
  readonly name: 'sandbox' | 'webhook';
  payout(order: TransferOrder): Promise<TransferReceipt>;
  /** refunds are identified by our refund id, which the provider's `refund.*` events carry back */
  refund(order: TransferOrder): Promise<TransferReceipt>;
}

const payoutIdFor = (prefix: string, key: string) => `${prefix}_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;

/** Confirms every transfer by itself: for demos and tests without a payment provider. */
export function sandboxGateway(): PaymentGateway {
  return {
    name: 'sandbox',
    payout: (o) => Promise.resolve({ id: payoutIdFor('po_sbx', o.idempotencyKey), status: 'paid' }),
    refund: (o) => Promise.resolve({ id: o.reference, status: 'paid' }),
  };
}

/**
 * Orders transfers and waits for the provider's webhooks. The provider's HTTP API is not part of this repository;
 * the payout id is derived from the idempotency key, which is what the provider's `payout.*` events carry back.
 */
export function webhookGateway(): PaymentGateway {
  return {
    name: 'webhook',
    payout: (o) => Promise.resolve({ id: payoutIdFor('po', o.idempotencyKey), status: 'pending' }),
    refund: (o) => Promise.resolve({ id: o.reference, status: 'pending' }),
  };
}
