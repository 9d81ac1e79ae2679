import { TestWorkflowEnvironment } from '@temporalio/testing';
import { executableFor, temporalCliPath, temporalTestServerPath } from '../../dev/temporal-binaries';
import { ensureSearchAttributes } from '../../lib/search-attributes';

/** A real Temporal dev server (the CLI's start-dev), for API and end-to-end tests: the run's (global-setup.ts), else a new one. */
export async function startDevServer(): Promise<TestWorkflowEnvironment> {
  const address = process.env.TEST_TEMPORAL_ADDRESS;
  const env = address
    ? await TestWorkflowEnvironment.createFromExistingServer({ address })
    : await TestWorkflowEnvironment.createLocal({
        server: { executable: executableFor(temporalCliPath()), ip: '127.0.0.1', log: { format: 'pretty', level: 'error' } },
      });
  return withSearchAttributes(env);
}

/** The time-skipping test server, for workflow tests that skip days of timers. */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  return withSearchAttributes(await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: executableFor(temporalTestServerPath()) } }));
}

/** Both servers validate the attributes a workflow upserts: register ours, as `npm start` and the cluster script do. */
async function withSearchAttributes(env: TestWorkflowEnvironment): Promise<TestWorkflowEnvironment> {
  await ensureSearchAttributes(env.connection.operatorService, env.namespace ?? 'default');
  return env;
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
