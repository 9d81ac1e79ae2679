import { LedgerRejected } from './failures';

/**
 * Each money movement of a milestone as balanced double-entry lines (debits positive, credits negative).
 * Accounts, all scoped to one milestone:
 *   psp_cash            money held for us by the payment provider (asset)
 *   escrow              the client's money in escrow for this milestone (liability)
 *   escrow_fee_held     the client's escrow fee, paid with the deposit, not yet earned (liability)
 *   provider_payable    released to the provider, not yet sent (liability)
 *   payouts_in_transit  ordered to the provider's bank, not yet confirmed (liability)
 *   refunds_due         owed back to the client, not yet ordered (liability)
 *   refunds_in_transit  ordered back to the client's bank, not yet confirmed (liability)
 *   fees_commission     the platform's matchmaking commission, earned (revenue)
 *   fees_escrow         the platform's escrow fee, earned (revenue)
 *   psp_fees            what the payment provider charged us: processing and dispute fees (expense)
 *   chargebacks_pending taken back by the payment provider for a chargeback, outcome unknown (asset)
 *   chargeback_losses   chargebacks lost on money no longer in escrow (expense)
 */
export type Account =
  | 'psp_cash'
  | 'escrow'
  | 'escrow_fee_held'
  | 'provider_payable'
  | 'payouts_in_transit'
  | 'refunds_due'
  | 'refunds_in_transit'
  | 'fees_commission'
  | 'fees_escrow'
  | 'psp_fees'
  | 'chargebacks_pending'
  | 'chargeback_losses';

/** Accounts whose balance is a debit (assets, expenses); every other one is a credit (liabilities, revenue). */
export const DEBIT_ACCOUNTS: readonly Account[] = ['psp_cash', 'psp_fees', 'chargebacks_pending', 'chargeback_losses'];

export type Movement =
  /** money arrived: `toEscrow` toward the amount, `toFee` toward the escrow fee, `excess` owed back */
  | { type: 'deposit'; toEscrow: number; toFee: number; excess: number }
  /** `amount` leaves escrow for the provider, less `commission`; `escrowFee` of the held fee is earned */
  | { type: 'release'; amount: number; commission: number; escrowFee: number }
  /** `amount` leaves escrow back to the client with `escrowFee` of the held fee */
  | { type: 'refund'; amount: number; escrowFee: number }
  /**
   * the provider gives back `amount` of what was released to them and not yet paid out: the `commission` taken on it
   * and the `escrowFee` earned on it are given up, and all of it is owed back to the client
   */
  | { type: 'released_refund'; amount: number; commission: number; escrowFee: number }
  | { type: 'refund_ordered'; amount: number }
  | { type: 'refund_paid'; amount: number }
  | { type: 'refund_failed'; amount: number }
  | { type: 'payout_ordered'; amount: number }
  | { type: 'payout_paid'; amount: number }
  | { type: 'payout_failed'; amount: number }
  /** the payment provider's fee on a charge, taken from the platform's balance */
  | { type: 'psp_fee'; amount: number }
  /** a chargeback: the provider took `amount` and its dispute `fee` from the platform's balance */
  | { type: 'chargeback_withdrawn'; amount: number; fee: number }
  /** the chargeback was won: `amount` (and `fee`, where the provider gives it back) return */
  | { type: 'chargeback_reinstated'; amount: number; fee: number }
  /** the chargeback was lost: `escrow` and `escrowFee` of what was held are gone, `loss` is the platform's */
  | { type: 'chargeback_lost'; escrow: number; escrowFee: number; loss: number };

/** One movement to post, once per idempotency key. */
export interface Posting {
  idempotencyKey: string;
  projectId: string;
  milestoneId: string;
  currency: string;
  movement: Movement;
}

export interface Line {
  account: Account;
  amount: number;
}

export function linesFor(movement: Movement): Line[] {
  const raw = rawLines(movement);
  for (const line of raw) {
    if (!Number.isSafeInteger(line.amount)) throw new LedgerRejected(`amount ${line.amount} is not an integer number of minor units`);
  }
  const lines = mergeByAccount(raw.filter((l) => l.amount !== 0));
  if (lines.reduce((sum, l) => sum + l.amount, 0) !== 0 || lines.length < 2) {
    throw new LedgerRejected(`movement ${movement.type} does not balance`);
  }
  return lines;
}

function mergeByAccount(lines: Line[]): Line[] {
  const merged = new Map<Account, number>();
  for (const l of lines) merged.set(l.account, (merged.get(l.account) ?? 0) + l.amount);
  return [...merged].filter(([, amount]) => amount !== 0).map(([account, amount]) => ({ account, amount }));
}

/** Moves `amount` from liability `from` to liability `to` (debit `from`, credit `to`). */
const transfer = (from: Account, to: Account, amount: number): Line[] => [
  { account: from, amount },
  { account: to, amount: -amount },
];

function rawLines(m: Movement): Line[] {
  const amounts = Object.entries(m).filter(([k]) => k !== 'type');
  for (const [k, v] of amounts) if ((v as number) < 0) throw new LedgerRejected(`movement ${m.type} with a negative ${k}`);
  switch (m.type) {
    case 'deposit':
      return [
        { account: 'psp_cash', amount: m.toEscrow + m.toFee + m.excess },
        { account: 'escrow', amount: -m.toEscrow },
        { account: 'escrow_fee_held', amount: -m.toFee },
        { account: 'refunds_due', amount: -m.excess },
      ];
    case 'release':
      if (m.commission > m.amount) throw new LedgerRejected('a commission larger than the amount released');
      return [
        { account: 'escrow', amount: m.amount },
        { account: 'provider_payable', amount: -(m.amount - m.commission) },
        { account: 'fees_commission', amount: -m.commission },
        ...transfer('escrow_fee_held', 'fees_escrow', m.escrowFee),
      ];
    case 'refund':
      return [...transfer('escrow', 'refunds_due', m.amount), ...transfer('escrow_fee_held', 'refunds_due', m.escrowFee)];
    case 'released_refund':
      if (m.commission > m.amount) throw new LedgerRejected('a commission larger than the amount given back');
      return [
        { account: 'provider_payable', amount: m.amount - m.commission },
        { account: 'fees_commission', amount: m.commission },
        { account: 'fees_escrow', amount: m.escrowFee },
        { account: 'refunds_due', amount: -(m.amount + m.escrowFee) },
      ];
    case 'refund_ordered':
      return transfer('refunds_due', 'refunds_in_transit', m.amount);
    case 'refund_paid':
      return [
        { account: 'refunds_in_transit', amount: m.amount },
        { account: 'psp_cash', amount: -m.amount },
      ];
    case 'refund_failed':
      return transfer('refunds_in_transit', 'refunds_due', m.amount);
    case 'payout_ordered':
      return transfer('provider_payable', 'payouts_in_transit', m.amount);
    case 'payout_paid':
      return [
        { account: 'payouts_in_transit', amount: m.amount },
        { account: 'psp_cash', amount: -m.amount },
      ];
    case 'payout_failed':
      return transfer('payouts_in_transit', 'provider_payable', m.amount);
    case 'psp_fee':
      return [
        { account: 'psp_fees', amount: m.amount },
        { account: 'psp_cash', amount: -m.amount },
      ];
    case 'chargeback_withdrawn':
      return [
        { account: 'chargebacks_pending', amount: m.amount },
        { account: 'psp_fees', amount: m.fee },
        { account: 'psp_cash', amount: -(m.amount + m.fee) },
      ];
    case 'chargeback_reinstated':
      return [
        { account: 'psp_cash', amount: m.amount + m.fee },
        { account: 'chargebacks_pending', amount: -m.amount },
        { account: 'psp_fees', amount: -m.fee },
      ];
    case 'chargeback_lost':
      return [
        { account: 'escrow', amount: m.escrow },
        { account: 'escrow_fee_held', amount: m.escrowFee },
        { account: 'chargeback_losses', amount: m.loss },
        { account: 'chargebacks_pending', amount: -(m.escrow + m.escrowFee + m.loss) },
      ];
  }
}
