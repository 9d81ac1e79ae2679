import type { Actor } from '../../../domain/parties';
import { queued } from '../../serial';
import type { MilestoneCore } from '../core';
import { nowIso } from './file';

/** Settlement or decision: releases the provider's part (in place of the client) and refunds the client's part. */
export function resolve(m: MilestoneCore, how: 'settled' | 'decided', providerAmount: number, clientAmount: number, actor: Actor): void {
  const d = m.dispute!;
  d.state = how;
  d.closedAt = nowIso();
  const fees = providerAmount > 0 ? m.releaseToProvider(providerAmount) : undefined;
  if (clientAmount > 0) m.refundToClient(clientAmount, how === 'decided' ? 'sma_decision' : 'settlement');
  // released (waiting for the provider's invoice) or refunded; a milestone released in part before may be paid already
  const to = m.escrowEmptyState();
  const by = how === 'decided' ? 'sma' : 'settlement';
  queued(m.record(`dispute_${how}`, { to, actor, data: { disputeId: d.id, providerAmount, clientAmount, by, ...fees } }));
  queued(m.saveDispute());
  const template = how === 'decided' ? 'dispute_decided' : 'dispute_settled';
  const extra = { providerAmount, clientAmount, rationale: d.decision?.rationale };
  queued(m.notify(template, 'client', { amount: providerAmount + clientAmount, extra }));
  queued(m.notify(template, 'provider', { amount: providerAmount + clientAmount, extra }));
}
