import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import type { Activities } from '../workflows/activities/contract';

export const WORKFLOWS_PATH = require.resolve('../workflows');

/** Bundles the workflow code once; tests and the worker pass the bundle to every Worker they create. */
export function bundleWorkflows(workflowsPath = WORKFLOWS_PATH): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  workflowBundle: WorkflowBundleWithSourceMap;
  /** the sticky cache's size (WORKER_MAX_CACHED_WORKFLOWS); unset: the SDK's default */
  maxCachedWorkflows?: number;
  /** payload encryption (lib/data-converter.ts); unset: payloads in clear */
  dataConverter?: DataConverter;
}

export function createWorker(o: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    activities: o.activities,
    workflowBundle: o.workflowBundle,
    maxCachedWorkflows: o.maxCachedWorkflows,
    dataConverter: o.dataConverter,
  });
}
