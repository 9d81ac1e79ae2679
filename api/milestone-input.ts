import type { ProjectRow } from '../db/projects';
import { FUNDS_HOLD_ALARM_DAYS } from '../domain/incidents';
import type { ClientSilencePolicy } from '../domain/milestone';
import type { Config } from '../lib/config';
import type { MilestoneInput, MilestoneTiming } from '../workflows/milestone/contract';

/** The timing a new milestone is started with: today's settings, and the project's own silence policy if it has one. */
export function milestoneTiming(config: Config, clientSilencePolicy?: ClientSilencePolicy): MilestoneTiming {
  return {
    payoutDelayMs: config.PAYOUT_DELAY,
    payoutCalendar: config.PAYOUT_CALENDAR,
    depositReminderMs: config.DEPOSIT_REMINDER_SCHEDULE,
    releaseReminderMs: config.RELEASE_REMINDER_SCHEDULE,
    clientSilencePolicy: clientSilencePolicy ?? config.CLIENT_SILENCE_POLICY,
    clientSilenceGraceMs: config.CLIENT_SILENCE_GRACE,
    disputeResponseWindowMs: config.DISPUTE_RESPONSE_WINDOW,
    disputeReminderMs: config.DISPUTE_REMINDER_SCHEDULE,
    changeRoundsBeforeMediation: config.CHANGE_ROUNDS_BEFORE_MEDIATION,
    ...(config.PAYMENT_PROVIDER === 'stripe' ? { fundsHoldAlarmMs: FUNDS_HOLD_ALARM_DAYS * 86_400_000 } : {}),
  };
}

/** A stored project's milestone as its workflow's input. */
export function milestoneInputFor(project: ProjectRow, milestone: ProjectRow['milestones'][number], timing: MilestoneTiming): MilestoneInput {
  return {
    projectId: project.id,
    projectTitle: project.title,
    projectExternalId: project.externalId,
    milestoneId: milestone.id,
    title: milestone.title,
    amount: milestone.amount,
    currency: project.currency,
    // ids only: e-mail addresses and names stay in PostgreSQL, out of the workflow's history
    client: { id: project.client.id },
    provider: { id: project.provider.id },
    timing,
    fees: project.fees,
  };
}
