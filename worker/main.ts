/** The worker process: runs milestone and project workflows and all activities against the configured services. */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { loadConfigOrExit } from '../lib/config';
import { createLogger } from '../lib/logger';
import { buildActivityDeps } from './build-deps';
import { bundleWorkflows, createWorker } from './create-worker';
import { installSdkLogger } from './sdk-logger';

async function main() {
  const config = loadConfigOrExit('worker');
  const log = createLogger(config, 'worker');
  for (const warning of config.warnings) log.warn(warning);
  installSdkLogger(log, config.LOG_LEVEL);
  const db = createPool(config.DATABASE_URL);
  await migrate(db);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const clientConnection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const deps = buildActivityDeps(config, db, new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE }));
  const worker = await createWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: createActivities(deps),
    workflowBundle: await bundleWorkflows(),
  });
  log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS }, 'worker running');
  // The SDK's worker shuts down gracefully on SIGINT/SIGTERM; run() resolves afterwards.
  await worker.run();
  deps.mailer.close();
  await connection.close();
  await clientConnection.close();
  await db.end();
}

main().catch((err: unknown) => {
  createLogger({ LOG_LEVEL: 'info' }, 'worker').fatal({ err }, 'worker stopped');
  process.exit(1);
});
