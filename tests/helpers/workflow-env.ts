import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createSmtpMailer, type Mailer } from '../../activities/mail/mailer';
import { sandboxGateway, webhookGateway, type PaymentGateway } from '../../activities/payouts/gateway';
import type { Db } from '../../db/pool';
import { startMailCatcher, type MailCatcher } from '../../dev/mail-catcher';
import { bundleWorkflows, createWorker } from '../../worker/create-worker';
import { freshDatabase } from './db';
import { drainRefunds } from './milestone-driver';
import { startTimeSkippingServer } from './temporal';
import { uniq } from './fixtures';

export interface WorkflowHarness {
  db: Db;
  mail: MailCatcher;
  mailer: Mailer;
  /** a worker with real activities (database, SMTP) on its own task queue */
  worker(env: TestWorkflowEnvironment, payments?: PaymentGateway): Promise<{ worker: Worker; taskQueue: string }>;
  close(): Promise<void>;
}

/** Real PostgreSQL and SMTP behind the activities; the workflow bundle built once per test file. */
export async function workflowHarness(): Promise<WorkflowHarness> {
  const { db } = await freshDatabase();
  const mail = await startMailCatcher();
  const mailer = createSmtpMailer(`smtp://127.0.0.1:${mail.smtpPort}`, 'Plateforme <no-reply@escrow.test>');
  let bundle: WorkflowBundleWithSourceMap | undefined;
  return {
    db,
    mail,
    mailer,
    async worker(env, payments = sandboxGateway()) {
      bundle ??= await bundleWorkflows();
      const taskQueue = uniq('tq');
      const worker = await createWorker({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue,
        activities: createActivities({ db, mailer, payments, staffEmail: STAFF_EMAIL, temporal: env.client }),
        workflowBundle: bundle,
      });
      return { worker, taskQueue };
    },
    async close() {
      mailer.close();
      await mail.close();
      await db.end();
    },
  };
}

export { sandboxGateway, webhookGateway };
export const STAFF_EMAIL = 'finance@escrow.test';

export interface TimeSkippingSuite {
  env: TestWorkflowEnvironment;
  h: WorkflowHarness;
  /** runs `body` with a worker on its own task queue, then waits for the refunds it started */
  withWorker(body: (taskQueue: string) => Promise<void>, payments?: PaymentGateway): Promise<void>;
}

/** What every workflow test file sets up: a time-skipping server and the harness, torn down after the file. */
export function timeSkippingSuite(): TimeSkippingSuite {
  const suite = {
    async withWorker(body: (taskQueue: string) => Promise<void>, payments?: PaymentGateway) {
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
