/**
 * Every activity of the system (the interface workflows/activities/contract.ts declares), built from injected
 * dependencies so that the worker wires real ones and tests may wire their own.
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../db/pool';
import type { PaymentProvider } from '../domain/payment-provider';
import type { InvoicingSettings } from '../lib/invoicing';
import type { Activities } from '../workflows/activities/contract';
import { amendmentActivities } from './amendments';
import { feeDocumentActivities } from './fee-documents';
import { ledgerActivities } from './ledger';
import type { Mailer } from './mail/mailer';
import { noticeActivities } from './notices';
import { paymentActivities } from './payments';
import { readModelActivities } from './read-models';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  payments: PaymentProvider;
  /** the finance staff's address, told about failed payouts and refunds */
  staffEmail: string;
  /** the seller and VAT rate of the platform's fee invoices */
  invoicing: InvoicingSettings;
  /** for the project workflow's amendments, which act on milestone workflows */
  temporal: Client;
}

export function createActivities(deps: ActivityDeps): Activities {
  return {
    ...ledgerActivities(deps),
    ...readModelActivities(deps),
    ...feeDocumentActivities(deps),
    ...noticeActivities(deps),
    ...paymentActivities(deps),
    ...amendmentActivities(deps),
  };
}
