/**
 * Each money movement of a milestone as balanced double-entry lines (debits positive, credits negative).
 * Accounts, all scoped to one milestone:
 *   psp_cash            money held for us by the payment provider (asset)
 *   escrow              the client's money in escrow for this milestone (liability)
 *   provider_payable    released to the provider, not yet sent (liability)
 *   payouts_in_transit  ordered to the provider's bank, not yet confirmed (liability)
 *   refunds_due         owed back to the client (liability)
 */
export type Account = 'psp_cash' | 'escrow' | 'provider_payable' | 'payouts_in_transit' | 'refunds_due';

export type Movement =
  /** money arrived; `excess` is what exceeded the amount due, owed back to the client */
  | { type: 'deposit'; accepted: number; excess: number }
  | { type: 'release'; amount: number }
  | { type: 'refund'; amount: number }
  | { type: 'payout_ordered'; amount: number }
  | { type: 'payout_paid'; amount: number }
  | { type: 'payout_failed'; amount: number };

export interface Line {
  account: Account;
  amount: number;
}

export function linesFor(movement: Movement): Line[] {
  const lines = rawLines(movement).filter((l) => l.amount !== 0);
  for (const line of lines) {
    if (!Number.isSafeInteger(line.amount)) throw new Error(`amount ${line.amount} is not an integer number of minor units`);
  }
  if (lines.reduce((sum, l) => sum + l.amount, 0) !== 0 || lines.length < 2) {
    throw new Error(`movement ${movement.type} does not balance`);
  }
  return lines;
}

function rawLines(m: Movement): Line[] {
  const positive = (n: number) => {
    if (n < 0) throw new Error(`movement ${m.type} with a negative amount`);
    return n;
  };
  switch (m.type) {
    case 'deposit':
      return [
        { account: 'psp_cash', amount: positive(m.accepted) + positive(m.excess) },
        { account: 'escrow', amount: -m.accepted },
        { account: 'refunds_due', amount: -m.excess },
      ];
    case 'release':
      return [
        { account: 'escrow', amount: positive(m.amount) },
        { account: 'provider_payable', amount: -m.amount },
      ];
    case 'refund':
      return [
        { account: 'escrow', amount: positive(m.amount) },
        { account: 'refunds_due', amount: -m.amount },
      ];
    case 'payout_ordered':
      return [
        { account: 'provider_payable', amount: positive(m.amount) },
        { account: 'payouts_in_transit', amount: -m.amount },
      ];
    case 'payout_paid':
      return [
        { account: 'payouts_in_transit', amount: positive(m.amount) },
        { account: 'psp_cash', amount: -m.amount },
      ];
    case 'payout_failed':
      return [
        { account: 'payouts_in_transit', amount: positive(m.amount) },
        { account: 'provider_payable', amount: -m.amount },
      ];
  }
}
