import { condition } from '@temporalio/workflow';
import { isFinal } from '../../domain/milestone';
import { activities } from '../activities/proxies';
import { queued } from '../serial';
import type { MilestoneCore } from './core';

const DAY = 86_400_000;

/**
 * The payment provider keeps the funds of a manual-payout platform a limited time (Stripe: 90 days for French
 * accounts). From the first funding, a milestone still holding money after `fundsHoldAlarmMs` raises an alarm to the
 * finance staff, on its timeline too, while there is time to settle it.
 */
export async function watchFundsHold(m: MilestoneCore, limitMs: number): Promise<void> {
  await condition(() => m.state === 'funded' || isFinal(m.state));
  if (isFinal(m.state)) return;
  const fundedAt = new Date(Date.now()).toISOString();
  const settled = await condition(() => m.inEscrow === 0 || isFinal(m.state), limitMs);
  if (settled) return;
  const { milestoneId, projectId, currency, title } = m.input;
  const days = Math.round(limitMs / DAY);
  queued(m.record('funds_hold_alarm', { data: { days, fundedAt, inEscrow: m.inEscrow } }));
  queued(
    m.effects.run(() =>
      activities.notifyStaff({
        key: `${milestoneId}:funds_hold_alarm`,
        subject: `Fonds en séquestre depuis ${days} jours : ${milestoneId}`,
        text: `L'échéance « ${title} » (${milestoneId}, projet ${projectId}) détient ${m.inEscrow} ${currency} depuis le ${fundedAt}.\nLe prestataire de paiement ne garde ces fonds qu'un temps limité : faites libérer, rembourser ou arbitrer l'échéance.`,
      }),
    ),
  );
}
