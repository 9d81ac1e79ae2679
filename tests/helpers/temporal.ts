import { TestWorkflowEnvironment } from '@temporalio/testing';
import { executableFor, temporalCliPath, temporalTestServerPath } from '../../dev/temporal-binaries';

/** A real Temporal dev server (the CLI's start-dev), for API and end-to-end tests: the run's (global-setup.ts), else a new one. */
export function startDevServer(): Promise<TestWorkflowEnvironment> {
  const address = process.env.TEST_TEMPORAL_ADDRESS;
  if (address) return TestWorkflowEnvironment.createFromExistingServer({ address });
  return TestWorkflowEnvironment.createLocal({
    server: { executable: executableFor(temporalCliPath()), ip: '127.0.0.1', log: { format: 'pretty', level: 'error' } },
  });
}

/** The time-skipping test server, for workflow tests that skip days of timers. */
export function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: executableFor(temporalTestServerPath()) } });
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
