/**
 * Fee arithmetic, in integer minor units. Pure and deterministic: workflow code imports it.
 * Rates are parts per million (0.10 → 100000) so no float ever touches money.
 * Rounding: half up to the minor unit. A fee that is later split (part earned, part refunded) is split by
 * subtraction, so the parts always add up to the whole and no remainder is lost.
 */
export const PPM = 1_000_000;

export function rateToPpm(rate: number): number {
  if (!(rate >= 0 && rate <= 1)) throw new Error(`a fee rate is between 0 and 1, not ${rate}`);
  return Math.round(rate * PPM);
}

/** The fee on `amount` at `ppm`, rounded half up. */
export function feeOn(amount: number, ppm: number): number {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new Error(`fee on a non-integer or negative amount ${amount}`);
  return Math.floor((amount * ppm + PPM / 2) / PPM);
}

/** Fee rates in parts per million, fixed per project at creation. */
export interface FeeRates {
  commissionPpm: number;
  escrowFeePpm: number;
}

/** The two fees the platform earns: the commission from the provider, the escrow fee from the client. */
export type FeeKind = 'commission' | 'escrow_fee';

const DESCRIPTIONS: Record<FeeKind, string> = { commission: 'Commission de mise en relation', escrow_fee: 'Frais de séquestre (risque zéro)' };
/** The line a fee invoice describes it with. */
export const describeFee = (kind: FeeKind): string => DESCRIPTIONS[kind];
