/**
 * The worker process: runs milestone and project workflows and all activities against the configured services.
 * `workflowsPath` is the workflow code to bundle (the repository's, unless a rolling-upgrade test gives its next version).
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { loadConfigOrExit } from '../lib/config';
import { createLogger } from '../lib/logger';
import { waitFor } from '../lib/wait-for';
import { buildActivityDeps } from './build-deps';
import { bundleWorkflows, createWorker, WORKFLOWS_PATH } from './create-worker';
import { freePort } from '../lib/free-port';
import { BusinessMetrics } from './business-metrics';
import { serveWorkerMetrics, type WorkerMetricsServer } from './metrics-server';
import { installSdkLogger } from './sdk-logger';
import { dataConverterFor } from '../lib/data-converter';
import { missingSearchAttributes } from '../lib/search-attributes';

export async function runWorker(workflowsPath = WORKFLOWS_PATH): Promise<void> {
  const config = loadConfigOrExit('worker');
  const log = createLogger(config, 'worker');
  for (const warning of config.warnings) log.warn(warning);
  const serveMetrics = config.WORKER_METRICS_PORT !== undefined;
  // the core's exporter binds an address of its own: a loopback one when only our endpoint is asked for
  const sdkMetricsAddress = config.TEMPORAL_SDK_METRICS_ADDRESS ?? (serveMetrics ? `127.0.0.1:${await freePort()}` : undefined);
  installSdkLogger(log, config.LOG_LEVEL, sdkMetricsAddress);
  const db = createPool(config.DATABASE_URL);
  await waitFor('PostgreSQL', () => migrate(db), log);
  let metrics: { business: BusinessMetrics; server: WorkerMetricsServer } | undefined;
  if (serveMetrics) {
    const business = new BusinessMetrics(db, log);
    business.watchLedger(config.LEDGER_CHECK_INTERVAL);
    const server = await serveWorkerMetrics({ port: config.WORKER_METRICS_PORT!, token: config.METRICS_TOKEN, sdkMetricsUrl: `http://${sdkMetricsAddress}/metrics`, business });
    metrics = { business, server };
    log.info({ port: server.port, sdk: sdkMetricsAddress }, 'worker metrics served on /metrics');
  }
  const connection = await waitFor('Temporal', () => NativeConnection.connect({ address: config.TEMPORAL_ADDRESS }), log);
  const clientConnection = await waitFor('Temporal', () => Connection.connect({ address: config.TEMPORAL_ADDRESS }), log);
  // A workflow upserting an attribute the namespace lacks fails each of its tasks: wait for them to be registered.
  await waitFor('the search attributes (docs/operations.md, "Finding workflows")', async () => {
    const missing = await missingSearchAttributes(clientConnection.operatorService, config.TEMPORAL_NAMESPACE);
    if (missing.length > 0) throw new Error(`namespace ${config.TEMPORAL_NAMESPACE} lacks ${missing.join(', ')}: register them as Keyword`);
  }, log);
  const dataConverter = dataConverterFor(config);
  log.info({ payloadEncryption: dataConverter ? `on, current key ${config.PAYLOAD_ENCRYPTION_KEYS!.currentId}` : 'off' }, 'workflow payloads');
  const deps = buildActivityDeps(config, db, new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE, dataConverter }));
  const workflowBundle = await bundleWorkflows(workflowsPath);
  let stopping = false;
  let running = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopping = true;
      if (!running) process.exit(0); // between two workers: nothing to drain
    });
  }
  // The SDK's worker shuts down gracefully on SIGINT/SIGTERM, and run() resolves. It rides out a Temporal restart
  // (its polls are retried); should run() fail all the same, a new worker takes over instead of the process exiting.
  for (;;) {
    const worker = await waitFor(
      'Temporal (worker registration)',
      () => createWorker({
          connection,
          namespace: config.TEMPORAL_NAMESPACE,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          activities: createActivities(deps),
          workflowBundle,
          maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
          dataConverter,
        }),
      log,
    );
    log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS }, 'worker running');
    running = true;
    const failed = await worker.run().then(
      () => undefined,
      (err: unknown) => err,
    );
    running = false;
    if (!failed || stopping) break;
    log.error({ err: failed }, 'worker failed; starting a new one');
  }
  metrics?.business.stop();
  await metrics?.server.close();
  deps.mailer.close();
  await connection.close();
  await clientConnection.close();
  await db.end();
}
