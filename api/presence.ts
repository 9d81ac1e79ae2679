import { randomUUID } from 'node:crypto';
import { beat, leave } from '../db/api-instances';
import type { Db } from '../db/pool';

const BEAT_MS = 1000;

/**
 * This API process as the others see it: an id that beats in PostgreSQL every second. A claim it holds (an
 * Idempotency-Key, a provider event) is run by one request of this process at a time; so a claim of this process
 * that no request of it is running is abandoned (its request answered 503 while the database was down, so the claim
 * could not be freed), and the next request for it takes it over at once.
 */
export class Presence {
  readonly id = `api_${randomUUID()}`;
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly db: Db) {
    const tick = () => void beat(db, this.id).catch(() => undefined); // down database: beats resume with it
    tick();
    this.timer = setInterval(tick, BEAT_MS);
    this.timer.unref();
  }

  /** Runs `fn` once no other request of this process runs `claim`: the second of two copies finds what the first did. */
  async holding<T>(claim: string, fn: () => Promise<T>): Promise<T> {
    const mine = (this.queues.get(claim) ?? Promise.resolve()).then(fn);
    const settled = mine.catch(() => undefined);
    this.queues.set(claim, settled);
    try {
      return await mine;
    } finally {
      if (this.queues.get(claim) === settled) this.queues.delete(claim);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await leave(this.db, this.id).catch(() => undefined);
  }
}
