/**
 * The floor workflow's worker, a process like worker/main.ts: the same SDK runtime (installSdkLogger) and the same
 * Worker options (the SDK's defaults, as worker/create-worker.ts), its own task queue, no-op activities.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { createLogger } from '../../lib/logger';
import { bundleWorkflows } from '../../worker/create-worker';
import { installSdkLogger } from '../../worker/sdk-logger';
import { floorActivities } from './activities';
import { FLOOR_TASK_QUEUE } from './contract';

async function main(): Promise<void> {
  const log = createLogger({ LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' }, 'floor-worker');
  installSdkLogger(log, process.env.LOG_LEVEL ?? 'warn');
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: FLOOR_TASK_QUEUE,
    activities: floorActivities,
    workflowBundle: await bundleWorkflows(require.resolve('./workflow')),
  });
  process.stdout.write('floor worker running\n');
  await worker.run();
  await connection.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`floor worker stopped: ${String(err)}\n`);
  process.exit(1);
});
