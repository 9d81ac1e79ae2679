/**
 * Who and what the harness drives, drawn from the seed: projects of 1 to 3 milestones, each milestone with the life
 * it goes through and the state it must end in.
 */
import type { Rng } from './rng';

export const LIVES = {
  /** funded in parts, delivered, released, invoiced, paid */
  happy: 30,
  /** released while funded, without delivery */
  direct_release: 6,
  /** delivered, the client silent through the release reminders, then releasing */
  slow_client: 5,
  /** one deposit more than due: the excess goes back */
  excess_deposit: 6,
  /** the first payout fails at the bank; the provider asks for it again */
  payout_retry: 6,
  /** the provider disputes, the window passes, the SMA decides a split */
  dispute_decision: 12,
  /** the client disputes, the provider proposes a split, the client accepts */
  dispute_settlement: 9,
  /** the client lowers the funded amount (and maybe adds a milestone), the provider accepts: the difference goes back */
  amend_decrease: 8,
  /** funded, then cancelled by both parties: refunded */
  mutual_cancel: 8,
  /** cancelled before it is funded (maybe after a first part) */
  cancel_unfunded: 5,
} as const;
export type LifeKind = keyof typeof LIVES;

export type EndState = 'paid' | 'refunded' | 'cancelled';

export interface MilestonePlan {
  /** `p<project>.m<n>` */
  label: string;
  title: string;
  amount: number;
  kind: LifeKind;
  /** fractions of what is due, one deposit event each */
  depositParts: number[];
  /** how one of the deposit events is delivered again by the provider */
  redelivery: 'none' | 'concurrent' | 'later';
  /** dispute lives: what the provider ends up with */
  providerShare: 'all' | 'split' | 'none';
  /** dispute lives: the respondent answers; the mediator asks the client a question first */
  respond: boolean;
  askInformation: boolean;
  /** amend_decrease: the new amount as a fraction of the old; and a milestone added by the same amendment */
  newAmountFraction: number;
  addMilestone: boolean;
  /** cancel_unfunded: a first part arrives before the cancellation; who cancels */
  partialFirst: boolean;
  canceller: 'client' | 'provider';
  /** dispute_settlement: the work was delivered before the dispute */
  deliveredFirst: boolean;
  expected: EndState;
  /** refund orders this life makes */
  refunds: number;
}

export interface ProjectPlan {
  index: number;
  label: string;
  milestones: MilestonePlan[];
}

const endOf = (kind: LifeKind, share: MilestonePlan['providerShare']): EndState => {
  if (kind === 'cancel_unfunded') return 'cancelled';
  if (kind === 'mutual_cancel') return 'refunded';
  if ((kind === 'dispute_decision' || kind === 'dispute_settlement') && share === 'none') return 'refunded';
  return 'paid';
};

function refundsOf(p: Omit<MilestonePlan, 'refunds'>): number {
  switch (p.kind) {
    case 'excess_deposit':
    case 'amend_decrease':
    case 'mutual_cancel':
      return 1;
    case 'cancel_unfunded':
      return p.partialFirst ? 1 : 0;
    case 'dispute_decision':
    case 'dispute_settlement':
      return p.providerShare === 'all' ? 0 : 1;
    default:
      return 0;
  }
}

export function drawMilestone(rng: Rng, label: string, kind: LifeKind): MilestonePlan {
  const parts = rng.int(1, 3);
  const cuts = Array.from({ length: parts - 1 }, () => rng.int(20, 80) / 100).sort((a, b) => a - b);
  const bounds = [0, ...cuts, 1];
  const depositParts = bounds.slice(1).map((b, i) => b - bounds[i]);
  const providerShare = rng.weighted({ all: 3, split: 5, none: 2 });
  const plan = {
    label,
    title: `Jalon ${label}`,
    amount: rng.int(500, 5000) * 100,
    kind,
    depositParts,
    redelivery: rng.weighted({ none: 6, concurrent: 2, later: 2 }),
    providerShare,
    respond: rng.chance(0.5),
    askInformation: rng.chance(0.3),
    newAmountFraction: rng.int(40, 80) / 100,
    addMilestone: rng.chance(0.4),
    partialFirst: rng.chance(0.5),
    canceller: rng.pick(['client', 'provider'] as const),
    deliveredFirst: rng.chance(0.5),
    expected: endOf(kind, providerShare),
  };
  return { ...plan, refunds: refundsOf(plan) };
}

/** `total` milestones in projects of 1 to 3; at most one amendment life per project (one amendment at a time). */
export function drawPopulation(rng: Rng, total: number): ProjectPlan[] {
  const projects: ProjectPlan[] = [];
  let left = total;
  while (left > 0) {
    const index = projects.length + 1;
    const size = Math.min(left, rng.int(1, 3));
    const milestones: MilestonePlan[] = [];
    for (let n = 1; n <= size; n++) {
      let kind = rng.weighted(LIVES);
      if (kind === 'amend_decrease' && milestones.some((m) => m.kind === 'amend_decrease')) kind = 'happy';
      milestones.push(drawMilestone(rng, `p${index}.m${n}`, kind));
    }
    projects.push({ index, label: `p${index}`, milestones });
    left -= size;
  }
  return projects;
}
