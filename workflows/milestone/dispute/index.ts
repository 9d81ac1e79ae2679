import { setHandler } from '@temporalio/workflow';
import { disputeQuery } from '../contract';
import type { MilestoneCore } from '../core';
import { registerAmicable } from './amicable';
import { registerMediation } from './mediation';
import { registerOpening, registerWithdrawal } from './open';

export { openDispute } from './open';
export { disputePhase } from './timed';

/** A dispute lives in its milestone's workflow, which owns the money it freezes: every handler, by phase. */
export function registerDisputeHandlers(m: MilestoneCore): void {
  setHandler(disputeQuery, () => m.dispute);
  registerOpening(m);
  registerAmicable(m);
  registerMediation(m);
  registerWithdrawal(m);
}
