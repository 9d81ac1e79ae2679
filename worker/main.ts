/** The worker process: runs milestone and project workflows and all activities against the configured services. */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { createActivities } from '../activities';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { buildActivityDeps } from './build-deps';
import { bundleWorkflows, createWorker } from './create-worker';

async function main() {
  const config = loadConfig();
  const log = createLogger(config, 'worker');
  Runtime.install({ logger: new DefaultLogger(sdkLogLevel(config.LOG_LEVEL)) });
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

/** The SDK's own log level, from LOG_LEVEL (pino's names). */
function sdkLogLevel(level: string): LogLevel {
  const levels: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR', silent: 'ERROR' };
  return levels[level] ?? 'INFO';
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
