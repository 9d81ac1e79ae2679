import { allHandlersFinished, condition, patched } from '@temporalio/workflow';
import { isFinal, type MilestoneState } from '../../domain/milestone';
import type { MilestoneInput } from './contract';
import { MilestoneCore } from './core';
import { disputePhase, registerDisputeHandlers } from './dispute';
import { watchFundsHold } from './funds-hold';
import { registerLifecycleHandlers } from './lifecycle';
import { payOut } from './payout';
import { keepSearchable } from './searchable';
import { awaitDeposit, awaitRelease } from './waiting-phases';

/**
 * One R0 milestone from creation to a final state. Handlers change the state; this loop runs the timed part of
 * whatever state the milestone is in (reminders, dispute windows, the payout run) and ends with the milestone.
 */
export async function milestoneWorkflow(input: MilestoneInput): Promise<MilestoneState> {
  const m = new MilestoneCore(input);
  registerLifecycleHandlers(m);
  registerDisputeHandlers(m);
  if (patched('search-attributes')) void keepSearchable(m);
  const holdLimit = input.timing.fundsHoldAlarmMs;
  if (holdLimit !== undefined && patched('funds-hold-alarm')) void watchFundsHold(m, holdLimit);

  while (!isFinal(m.state)) {
    const current = m.state;
    if (current === 'awaiting_deposit') await awaitDeposit(m);
    else if (current === 'delivered') await awaitRelease(m);
    else if (current === 'disputed') await disputePhase(m);
    // since the patch each payment request's payout runs on its own, started with the request
    else if (current === 'payment_requested' && m.paymentRequest && !m.everydayMoves) await payOut(m);
    else await condition(() => m.state !== current);
  }
  await condition(() => m.effects.idle && m.notices.idle && allHandlersFinished());
  return m.state;
}
