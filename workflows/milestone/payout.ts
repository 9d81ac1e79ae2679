import { condition, sleep } from '@temporalio/workflow';
import { acts } from './activities';
import type { MilestoneCore } from './core';

/** Waits for the payout run, orders the payout and settles it: the milestone ends `paid`, or returns to `released`. */
export async function payOut(m: MilestoneCore): Promise<void> {
  const request = m.paymentRequest!;
  const wait = new Date(request.scheduledFor).getTime() - Date.now();
  if (wait > 0) await sleep(wait);
  const { projectId, milestoneId, currency, provider } = m.input;
  const payout = { paymentRequestId: request.id, projectId, milestoneId, providerId: provider.id, amount: request.amount, currency };
  const receipt = await m.effects.run(() => acts.orderPayout(payout));
  request.payoutId = receipt.payoutId;
  await m.record('payout_ordered', { data: { payoutId: receipt.payoutId, amount: request.amount } });
  if (receipt.status === 'paid') {
    m.payoutSettlement = { eventId: `gateway:${receipt.payoutId}`, payoutId: receipt.payoutId, outcome: 'paid' };
  }
  await condition(() => m.payoutSettlement !== undefined);
  const settlement = m.payoutSettlement!;
  m.payoutSettlement = undefined;
  await m.effects.run(() => acts.settlePayout({ ...payout, outcome: settlement.outcome, reason: settlement.reason }));
  if (settlement.outcome === 'paid') {
    void m.record('paid', { to: 'paid', data: { payoutId: settlement.payoutId, amount: request.amount } });
    await m.notify('payout_paid', 'provider', { amount: request.amount });
  } else {
    m.paymentRequest = undefined;
    const reason = settlement.reason ?? 'motif non précisé';
    void m.record('payout_failed', { to: 'released', data: { payoutId: settlement.payoutId, reason } });
    await m.notify('payout_failed', 'provider', { amount: request.amount, extra: { reason } });
  }
}
