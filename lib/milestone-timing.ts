import type { ClientSilencePolicy, MilestoneTiming } from '../workflows/milestone/contract';
import type { Config } from './config';

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
  };
}
