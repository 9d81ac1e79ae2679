import { loadConfig } from '../../lib/config';
import { invoicingSettings } from '../../lib/invoicing';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createSmtpMailer, type Mailer } from '../../activities/mail/mailer';
import type { Db } from '../../db/pool';
import type { PaymentProvider } from '../../domain/payment-provider';
import { startMailCatcher, type MailCatcher } from '../../dev/mail-catcher';
import { startOrdersInbox, type OrdersInbox } from '../../dev/orders-inbox';
import { sandboxProvider } from '../../lib/payment-providers/sandbox';
import { webhookOrdersProvider } from '../../lib/payment-providers/webhook-orders';
import { bundleWorkflows, createWorker } from '../../worker/create-worker';
import { freshDatabase } from './db';
import { drainRefunds } from './milestone-driver';
import { startTimeSkippingServer } from './temporal';
import { uniq } from './fixtures';

/** The seller and VAT of the dev settings. */
export const DEV_INVOICING = invoicingSettings(loadConfig({ DATABASE_URL: 'postgres://unused' }));

export interface WorkflowHarness {
  db: Db;
  mail: MailCatcher;
  mailer: Mailer;
  /** the payment provider's side of the webhook rail: the orders it received */
  orders: OrdersInbox;
  /** the webhook rail, sending its orders to `orders` */
  webhookOrders: PaymentProvider;
  /** a worker with real activities (database, SMTP; the sandbox rail unless told) on its own task queue */
  worker(env: TestWorkflowEnvironment, payments?: PaymentProvider): Promise<{ worker: Worker; taskQueue: string }>;
  close(): Promise<void>;
}

const ORDERS_SECRET = 'workflow-tests-orders-secret';

/** Real PostgreSQL, SMTP and payment orders inbox behind the activities; the workflow bundle built once per test file. */
export async function workflowHarness(): Promise<WorkflowHarness> {
  const [{ db }, mail, orders] = await Promise.all([freshDatabase(), startMailCatcher(), startOrdersInbox({ secret: ORDERS_SECRET })]);
  const mailer = createSmtpMailer(`smtp://127.0.0.1:${mail.smtpPort}`, 'Plateforme <no-reply@escrow.test>');
  let bundle: WorkflowBundleWithSourceMap | undefined;
  return {
    db,
    mail,
    mailer,
    orders,
    webhookOrders: webhookOrdersProvider({ ordersUrl: orders.url, secret: ORDERS_SECRET }),
    async worker(env, payments = sandboxProvider()) {
      bundle ??= await bundleWorkflows();
      const taskQueue = uniq('tq');
      const worker = await createWorker({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue,
        activities: createActivities({ db, mailer, payments, staffEmail: STAFF_EMAIL, invoicing: DEV_INVOICING, temporal: env.client }),
        workflowBundle: bundle,
      });
      return { worker, taskQueue };
    },
    async close() {
      mailer.close();
      await Promise.all([mail.close(), orders.close()]);
      await db.end();
    },
  };
}

export const STAFF_EMAIL = 'finance@escrow.test';

export interface TimeSkippingSuite {
  env: TestWorkflowEnvironment;
  h: WorkflowHarness;
  /** runs `body` with a worker on its own task queue, then waits for the refunds it started */
  withWorker(body: (taskQueue: string) => Promise<void>, payments?: PaymentProvider): Promise<void>;
}

/** What every workflow test file sets up: a time-skipping server and the harness, torn down after the file. */
export function timeSkippingSuite(): TimeSkippingSuite {
  const suite = {
    async withWorker(body: (taskQueue: string) => Promise<void>, payments?: PaymentProvider) {
      const { worker, taskQueue } = await suite.h.worker(suite.env, payments);
      await worker.runUntil(async () => {
        await body(taskQueue);
        await drainRefunds(suite.env);
      });
    },
  } as TimeSkippingSuite;
  beforeAll(async () => {
    [suite.env, suite.h] = await Promise.all([startTimeSkippingServer(), workflowHarness()]);
  });
  afterAll(async () => {
    await suite.env?.teardown();
    await suite.h?.close();
  });
  return suite;
}
