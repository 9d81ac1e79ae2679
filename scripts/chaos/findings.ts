/** What went wrong while driving the system, noted as it happens; the checks add theirs at the end. */

export type FindingKind =
  /** a final answer other than the one the request deserved */
  | 'wrong-answer'
  /** no final answer before the request's deadline (still 5xx, 409 idempotency-key-in-use, or down) */
  | 'unanswered'
  /** a payment-provider event acknowledged with the wrong outcome */
  | 'webhook-anomaly'
  /** a milestone that did not get where its life leads within its time */
  | 'life-stuck';

export interface Finding {
  kind: FindingKind;
  at: number;
  milestone?: string;
  step?: string;
  route?: string;
  key?: string;
  answer?: string;
  detail: string;
}

export class Findings {
  readonly list: Finding[] = [];

  add(f: Omit<Finding, 'at'>): void {
    this.list.push({ at: Date.now(), ...f });
  }

  count(kind: FindingKind): number {
    return this.list.filter((f) => f.kind === kind).length;
  }
}
