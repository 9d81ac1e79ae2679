/**
 * The bench's own stack, as tests and the chaos harness start it (scripts/topology/system.ts): PostgreSQL, the
 * Temporal dev server, one worker and one API process, the mail catcher; plus the floor workflow's worker, a process
 * of the same kind on its own task queue. The worker serves the SDK's metrics (TEMPORAL_SDK_METRICS_ADDRESS).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createPool, type Db } from '../db/pool';
import { freePort } from '../dev/free-port';
import { Proc } from '../scripts/topology/processes';
import { ROOT, SYSTEM_SETTINGS, System } from '../scripts/topology/system';
import { Api, who } from './http';
import type { People } from './lives';

/** clients and providers the projects are shared among */
const PAIRS = 20;

export interface Timings {
  /** the first deposit reminder, after a milestone is created (scenario 4 waits for it) */
  depositReminder: string;
}

export class BenchStack {
  private constructor(
    readonly system: System,
    readonly floorWorker: Proc,
    readonly temporal: Client,
    private readonly connection: Connection,
    readonly db: Db,
    readonly api: Api,
    readonly people: People,
    readonly workerMetricsUrl: string,
    readonly settings: Record<string, string>,
  ) {}

  static async start(timings: Timings): Promise<BenchStack> {
    const dir = mkdtempSync(path.join(tmpdir(), 'escrow-bench-'));
    const metricsPort = await freePort();
    const settings = {
      ...SYSTEM_SETTINGS,
      // the sandbox confirms deposits' payouts by itself: a life needs no provider in the loop
      PAYMENT_PROVIDER: 'sandbox',
      PAYOUT_DELAY: '1s',
      DEPOSIT_REMINDER_SCHEDULE: timings.depositReminder,
      RELEASE_REMINDER_SCHEDULE: '6h',
      CLIENT_SILENCE_GRACE: '6h',
      DISPUTE_RESPONSE_WINDOW: '3s',
      DISPUTE_REMINDER_SCHEDULE: '2s',
      LOG_LEVEL: 'info',
      TEMPORAL_SDK_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
    };
    // The API's request log off: its lines come through a pipe to this process, which would parse thousands a
    // second beside the load it generates (the worker logs at info: System waits for its 'worker running').
    const system = await System.start({ dir, workers: 1, apis: 1, smtpDelayMs: 0, temporal: 'dev', settings, apiSettings: { LOG_LEVEL: 'warn' } });
    const floorWorker = new Proc(
      {
        name: 'floor-worker',
        command: path.join(ROOT, 'node_modules', '.bin', 'tsx'),
        args: ['bench/floor/worker.ts'],
        cwd: ROOT,
        env: { ...process.env, TEMPORAL_ADDRESS: system.temporalAddress, LOG_LEVEL: 'warn' },
        logFile: path.join(dir, 'logs', 'floor-worker.log'),
        readyTimeoutMs: 120_000,
        ready: (alive, proc) =>
          new Promise<void>((resolve, reject) => {
            const stop = proc.onLine((line) => {
              if (!line.includes('floor worker running')) return;
              stop();
              clearInterval(poll);
              resolve();
            });
            const poll = setInterval(() => {
              if (alive()) return;
              stop();
              clearInterval(poll);
              reject(new Error('the floor worker did not start'));
            }, 200);
          }),
      },
      system.events,
    );
    await floorWorker.start().catch(async (err: unknown) => {
      floorWorker.killNow();
      await system.stop();
      throw err;
    });
    const connection = await Connection.connect({ address: system.temporalAddress });
    const pairs = await Promise.all(
      Array.from({ length: PAIRS }, async (_, i) => ({ client: await who(`c-bench-${i + 1}`, 'client'), provider: await who(`p-bench-${i + 1}`, 'provider') })),
    );
    const people = { platform: await who('platform-bench', 'platform'), mediator: await who('m-bench', 'mediator'), pairs };
    return new BenchStack(
      system,
      floorWorker,
      new Client({ connection, namespace: 'default' }),
      connection,
      createPool(system.databaseUrl, 20),
      new Api(system.url),
      people,
      `http://127.0.0.1:${metricsPort}/metrics`,
      settings,
    );
  }

  /** The worker's process group (tsx and the node it runs). */
  get workerGroup(): number {
    return this.system.workers[0].child!.pid!;
  }

  async stop(): Promise<void> {
    await this.db.end().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
    await this.floorWorker.stop();
    this.floorWorker.close();
    await this.system.stop();
  }
}
