import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './logger';

/**
 * Tries `attempt` until it succeeds, waiting 0.5 s, 1 s, 2 s… (at most 5 s) between tries and saying each time what
 * it waits for: a process started before its database or its Temporal server waits for them instead of exiting.
 */
export async function waitFor<T>(what: string, attempt: () => Promise<T>, log: Logger, maxDelayMs = 5000): Promise<T> {
  for (let delay = 500, tries = 1; ; tries++, delay = Math.min(delay * 2, maxDelayMs)) {
    try {
      return await attempt();
    } catch (err) {
      log.warn({ tries, retryInMs: delay, reason: err instanceof Error ? err.message : String(err) }, `waiting for ${what}`);
      await sleep(delay);
    }
  }
}
