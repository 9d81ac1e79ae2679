import type { Client } from '@temporalio/client';
import type { ActivityDeps } from '../activities';
import { createSmtpMailer } from '../activities/mail/mailer';
import type { Config } from '../lib/config';
import { invoicingSettings } from '../lib/invoicing';
import { createPaymentProvider } from '../lib/payment-providers';
import type { Db } from '../db/pool';

/** The real dependencies of the activities, from the settings. */
export function buildActivityDeps(config: Config, db: Db, temporal: Client): ActivityDeps {
  return {
    db,
    mailer: createSmtpMailer(config.SMTP_URL, config.MAIL_FROM),
    payments: createPaymentProvider(config),
    staffEmail: config.STAFF_EMAIL,
    invoicing: invoicingSettings(config),
    temporal,
  };
}
