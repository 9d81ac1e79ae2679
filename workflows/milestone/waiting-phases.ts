import { condition } from '@temporalio/workflow';
import { queued } from '../serial';
import type { MilestoneCore } from './core';
import { openDispute } from './dispute';
import { remindOnSchedule, waitWhile } from './reminders';

/** While the milestone waits for money: the client is reminded on the deposit schedule, from the milestone's start. */
export async function awaitDeposit(m: MilestoneCore): Promise<void> {
  const waiting = () => m.state === 'awaiting_deposit';
  await remindOnSchedule(m.stateSince, m.timing.depositReminderMs, waiting, (n) => {
    queued(m.notify('deposit_reminder', 'client', { amount: m.due.escrow + m.due.fee, extra: { n }, onlyIf: waiting, timeline: { kind: 'deposit', n } }));
  });
  await condition(() => !waiting());
}

/**
 * After delivery: the client is reminded on the release schedule; once it is exhausted and a grace period has passed
 * with the client still silent, the client-silence policy applies.
 */
export async function awaitRelease(m: MilestoneCore): Promise<void> {
  const since = m.stateSince;
  const waiting = () => m.state === 'delivered' && m.stateSince === since;
  const offsets = m.timing.releaseReminderMs;
  const policyAt = since + (offsets.at(-1) ?? 0) + m.timing.clientSilenceGraceMs;
  const deadline = new Date(policyAt).toISOString();
  const exhausted = await remindOnSchedule(since, offsets, waiting, (n) => {
    queued(
      m.notify('release_reminder', 'client', {
        amount: m.inEscrow,
        extra: { n, deadline, policy: m.timing.clientSilencePolicy },
        onlyIf: waiting,
        timeline: { kind: 'release', n },
      }),
    );
  });
  if (exhausted && (await waitWhile(waiting, policyAt))) applySilencePolicy(m, offsets.length, waiting);
  await condition(() => !waiting());
}

function applySilencePolicy(m: MilestoneCore, reminders: number, stillSilent: () => boolean): void {
  const policy = m.timing.clientSilencePolicy;
  queued(m.record('client_silent', { data: { policy, reminders } }));
  if (policy === 'notify_provider') {
    queued(m.notify('client_silent', 'provider', { amount: m.inEscrow, onlyIf: stillSilent }));
  } else if (policy === 'open_dispute') {
    const statement = `Le client n'a pas libéré le paiement malgré ${reminders} relance(s) ; litige ouvert automatiquement au nom du prestataire.`;
    openDispute(m, { party: 'provider', reason: 'client_silent', statement, automatic: true });
  } else {
    const amount = m.inEscrow;
    const fees = m.releaseToProvider(amount);
    queued(m.record('released', { to: 'released', data: { amount, by: 'auto_release', ...fees } }));
    queued(m.notify('funds_released', 'provider', { amount }));
    queued(m.notify('auto_released', 'client', { amount }));
  }
}
