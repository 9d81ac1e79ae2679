import { condition, sleep } from '@temporalio/workflow';
import { activities } from '../activities/proxies';
import { queued } from '../serial';
import type { PaymentRequestView } from './contract';
import type { MilestoneCore } from './core';

/**
 * Pays the provider for one payment request: waits for the payout run, orders the payout (net of commission) and
 * settles it. A failed payout puts the money back to payable, tells the provider and staff, and waits for the
 * provider's retry: no new invoice. The milestone is paid once nothing is left to pay (several requests run at once).
 */
export async function payOut(m: MilestoneCore, request: PaymentRequestView = m.paymentRequest!): Promise<void> {
  const { projectId, milestoneId, currency, provider } = m.input;
  for (;;) {
    const wait = new Date(request.scheduledFor).getTime() - Date.now();
    if (wait > 0) await sleep(wait);
    request.attempt += 1;
    request.payoutId = undefined;
    const payout = { paymentRequestId: request.id, attempt: request.attempt, projectId, milestoneId, providerId: provider.id, amount: request.payoutAmount, currency };
    const receipt = await m.effects.run(() => activities.orderPayout(payout));
    request.payoutId = receipt.id;
    await m.record('payout_ordered', { data: { payoutId: receipt.id, amount: request.payoutAmount, attempt: request.attempt } });
    if (receipt.status === 'paid' && !m.payoutSettlements.has(receipt.id)) {
      m.payoutSettlements.set(receipt.id, { eventId: `gateway:${receipt.id}`, payoutId: receipt.id, outcome: 'paid' });
    }
    await condition(() => m.payoutSettlements.has(receipt.id));
    const settlement = m.payoutSettlements.get(receipt.id)!;
    const reason = settlement.reason ?? 'motif non précisé';
    // Failed from now on, before the bookkeeping: the provider may retry as soon as the dashboard says so.
    if (settlement.outcome === 'failed') request.failed = { reason, at: new Date(Date.now()).toISOString() };
    await m.effects.run(() => activities.settlePayout({ ...payout, payoutId: settlement.payoutId, outcome: settlement.outcome, reason: settlement.reason }));
    if (settlement.outcome === 'paid') {
      request.paidAt = new Date(Date.now()).toISOString();
      const to = !m.everydayMoves || (m.state === 'payment_requested' && m.escrowEmptyState() === 'paid') ? 'paid' : undefined;
      queued(m.record('paid', { to, data: { payoutId: settlement.payoutId, amount: request.payoutAmount } }));
      queued(m.notify('payout_paid', 'provider', { amount: request.payoutAmount }));
      return;
    }
    queued(m.record('payout_failed', { data: { payoutId: settlement.payoutId, reason, attempt: request.attempt } }));
    queued(m.notify('payout_failed', 'provider', { amount: request.payoutAmount, extra: { reason } }));
    queued(
      m.effects.run(() =>
        activities.notifyStaff({
          key: `${milestoneId}:payout_failed:${request.id}:${request.attempt}`,
          subject: `Virement ${settlement.payoutId} en échec`,
          text: `Le virement ${settlement.payoutId} de ${request.payoutAmount} ${currency} au prestataire ${provider.id} pour l'échéance ${milestoneId} a échoué : ${reason}.\nLe montant est revenu au solde à payer ; le prestataire peut relancer le paiement sans nouvelle facture.`,
        }),
      ),
    );
    await condition(() => request.failed === undefined);
  }
}
