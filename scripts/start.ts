/**
 * `npm start`: the whole system on embedded defaults. Each setting of the REST contract (../shared/API.md) that is set replaces its embedded part:
 * DATABASE_URL (else embedded PostgreSQL), TEMPORAL_ADDRESS (else a Temporal dev server with its Web UI),
 * SMTP_URL (else a local mail catcher); with PAYMENT_PROVIDER=webhook, PAYMENT_ORDERS_URL (else a local orders inbox);
 * with PAYMENT_PROVIDER=stripe, STRIPE_API_URL or STRIPE_SECRET_KEY (else stripe-mock). Data lives in .data/ (DATA_DIR); Ctrl-C stops every child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEV_AUTH_JWT_SECRET, DEV_PAYMENTS_WEBHOOK_SECRET, loadConfig, requestedRail } from '../lib/config';
import { startEmbeddedPostgres, type EmbeddedDb } from '../dev/embedded-postgres';
import { waitForPort } from '../dev/free-port';
import { startMailCatcher, type MailCatcher } from '../dev/mail-catcher';
import { startOrdersInbox } from '../dev/orders-inbox';
import { DEV_STRIPE_SECRET_KEY, DEV_STRIPE_WEBHOOK_SECRET, startStripeMock } from '../dev/stripe-mock';
import { postgresAccount, runningAsRoot, statAncestry } from '../dev/pg-access';
import { placeData, unreachable } from '../dev/pg-placement';
import { temporalCliPath } from '../dev/temporal-binaries';
import { spawnTemporalDevServer } from '../dev/temporal-dev-server';
import { ensureSearchAttributes } from '../lib/search-attributes';
import { createLogger } from '../lib/logger';
import { oneLine } from './fail';

const ROOT = path.resolve(__dirname, '..');
let DATA = '';
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const env: NodeJS.ProcessEnv = { ...process.env };
const stops: (() => Promise<void>)[] = [];
const children: Record<'first' | 'last', ChildProcess[]> = { first: [], last: [] };
const started = Date.now();

async function waitForReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function spawnChild(name: string, command: string, args: string[]): ChildProcess {
  return watchChild(name, spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] }), 'first');
}

/** A child that stops everything if it dies; at Ctrl-C, the `first` (API, worker) stop before the `last` (Temporal). */
function watchChild(name: string, child: ChildProcess, order: 'first' | 'last'): ChildProcess {
  child.on('exit', (code, signal) => {
    if (!shuttingDown) {
      console.error(`${name} exited (${signal ?? code}); stopping everything`);
      void shutdown(1);
    }
  });
  children[order].push(child);
  return child;
}

async function startPostgres(): Promise<void> {
  if (env.DATABASE_URL) return;
  const port = Number(env.EMBEDDED_PG_PORT ?? 5433);
  const db: EmbeddedDb = await startEmbeddedPostgres({ dir: path.join(DATA, 'postgres'), port, persistent: true });
  await db.createDatabase('escrow');
  env.DATABASE_URL = db.urlFor('escrow');
  stops.push(() => db.stop());
  console.log(`PostgreSQL (embedded)  ${env.DATABASE_URL}  data in ${path.join(DATA, 'postgres')}`);
}

async function startTemporal(): Promise<void> {
  if (env.TEMPORAL_ADDRESS) return;
  const port = Number(env.TEMPORAL_DEV_PORT ?? 7233);
  const uiPort = Number(env.TEMPORAL_UI_PORT ?? 8233);
  const dbFile = path.join(DATA, 'temporal.sqlite');
  const cli = temporalCliPath();
  if (cli) {
    const log = createLogger({ LOG_LEVEL: env.LOG_LEVEL ?? 'info' }, 'temporal');
    const child = spawnTemporalDevServer(cli, {
      port, uiPort, dbFile, namespace: env.TEMPORAL_NAMESPACE,
      // Its banner repeats what is printed below; once stopping, its pollers' complaints about closing are expected.
      onLine: ({ level, msg, fields }) => {
        if (level === 'error' || (level === 'warn' && !shuttingDown)) log[level](fields, msg);
        else log.debug(fields, msg);
      },
    });
    watchChild('temporal', child, 'last');
  } else {
    // No local binary (see scripts/install-temporal.sh): let the SDK download the CLI, on machines with internet.
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const server = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'cached-download' }, ip: '127.0.0.1', port, ui: true, uiPort, dbFilename: dbFile },
    });
    stops.push(() => server.teardown());
    await ensureSearchAttributes(server.connection.operatorService, env.TEMPORAL_NAMESPACE ?? 'default');
  }
  await waitForPort(port, 30000);
  env.TEMPORAL_ADDRESS = `127.0.0.1:${port}`;
  console.log(`Temporal dev server    ${env.TEMPORAL_ADDRESS}  Web UI http://localhost:${uiPort}  data in ${dbFile}`);
}

async function startMail(): Promise<void> {
  if (env.SMTP_URL) return;
  const catcher: MailCatcher = await startMailCatcher({
    smtpPort: Number(env.MAIL_CATCHER_SMTP_PORT ?? 1025),
    httpPort: Number(env.MAIL_CATCHER_HTTP_PORT ?? 1080),
    store: path.join(DATA, 'mail.json'),
  });
  env.SMTP_URL = `smtp://127.0.0.1:${catcher.smtpPort}`;
  stops.push(() => catcher.close());
  console.log(`Mail catcher           ${env.SMTP_URL}  inbox http://localhost:${catcher.httpPort}`);
}

/** The Stripe rail on stripe-mock, unless it is pointed at an API (STRIPE_API_URL) or given a key for Stripe's. */
async function startStripe(): Promise<void> {
  if (env.PAYMENT_PROVIDER !== 'stripe' || env.STRIPE_API_URL || env.STRIPE_SECRET_KEY) return;
  const mock = await startStripeMock({ port: Number(env.STRIPE_MOCK_PORT || 12111) });
  watchChild('stripe-mock', mock.child, 'last');
  env.STRIPE_API_URL = mock.url;
  env.STRIPE_SECRET_KEY = DEV_STRIPE_SECRET_KEY;
  env.STRIPE_WEBHOOK_SECRET ||= DEV_STRIPE_WEBHOOK_SECRET;
  console.log(`Stripe (stripe-mock)   ${mock.url}  API mock, no state; key ${DEV_STRIPE_SECRET_KEY}`);
}

/** The webhook rail's orders, kept by a local inbox unless they go to a provider (PAYMENT_ORDERS_URL). */
async function startOrders(): Promise<void> {
  if (requestedRail(env) !== 'webhook' || env.PAYMENT_ORDERS_URL) return;
  const inbox = await startOrdersInbox({ secret: env.PAYMENTS_WEBHOOK_SECRET || DEV_PAYMENTS_WEBHOOK_SECRET });
  env.PAYMENT_ORDERS_URL = inbox.url;
  stops.push(() => inbox.close());
  console.log(`Payment orders inbox   ${inbox.url}  (GET lists the orders; confirm them with npm run webhook)`);
}

let shuttingDown = false;
async function shutdown(code: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log('stopping…');
  // The worker and the API first: stopped after Temporal, their pollers would log its absence.
  await stopAll(children.first);
  await stopAll(children.last);
  for (const stop of stops.reverse()) await stop().catch((err: unknown) => console.error(`could not stop cleanly: ${oneLine(err)}`));
  process.exit(code);
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const signalled = new Set<ChildProcess>();

/**
 * Runs `start` and removes the signal handlers it added. embedded-postgres installs an exit hook that stops its
 * cluster and exits (130/143) on SIGINT and SIGTERM, before the shutdown above has drained the worker and the API,
 * which still use the database, and stopped Temporal. The shutdown stops PostgreSQL itself, last (`stops`).
 */
async function withoutSignalHandlersOf(start: () => Promise<void>): Promise<void> {
  const before = new Map(STOP_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  await start();
  for (const signal of STOP_SIGNALS) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener as () => void);
  }
}

function stopAll(list: ChildProcess[]): Promise<void[]> {
  return Promise.all(
    list.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          signalled.add(child);
          child.kill('SIGINT');
          setTimeout(() => child.kill('SIGKILL'), 10000).unref();
        }),
    ),
  );
}

/** DATA_DIR, else .data; as root, where the postgres user can reach it (dev/pg-placement.ts). */
function placeDataDir(): void {
  const preferred = path.resolve(process.env.DATA_DIR || path.join(ROOT, '.data'));
  const placed = placeData({
    asRoot: runningAsRoot() && !env.DATABASE_URL,
    preferred,
    chosen: Boolean(process.env.DATA_DIR),
    chain: statAncestry(preferred),
    postgres: postgresAccount(),
    fallback: path.join(tmpdir(), `escrow-data-${createHash('sha256').update(ROOT).digest('hex').slice(0, 8)}`),
  });
  DATA = placed.dir;
  if (placed.because) {
    console.log(`Data in ${DATA}, not in ${unreachable(preferred, placed.because)}; DATA_DIR chooses`);
  }
}

async function main() {
  placeDataDir();
  mkdirSync(DATA, { recursive: true });
  for (const signal of STOP_SIGNALS) process.on(signal, () => void shutdown(0));
  // Whatever ends this process, no child outlives it: those the shutdown has not reached yet get a SIGINT.
  process.on('exit', () => {
    for (const child of [...children.first, ...children.last]) if (!signalled.has(child) && child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  });
  await withoutSignalHandlersOf(startPostgres);
  await startTemporal();
  await startMail();
  await startStripe();
  await startOrders();
  // the worker's /metrics (business figures and the SDK's), beside the API's own /metrics
  env.WORKER_METRICS_PORT ??= '9464';
  const config = loadConfig(env);
  spawnChild('worker', TSX, ['worker/main.ts']);
  spawnChild('api', TSX, ['api/main.ts']);
  const api = `http://localhost:${config.PORT}`;
  await waitForReady(`${api}/ready`, 120000);
  const devSecret = (value: string, dev: string) => (value === dev ? `${value}  (dev secret)` : '(set in the environment)');
  console.log(
    [
      '',
      `Ready in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
      `API                    ${api}  (reference ${api}/docs, spec ${api}/openapi.json, metrics ${api}/metrics)`,
      `Mediation console      ${api}/console  (sign in with ${config.AUTH_JWT_SECRET ? 'npm run -s token -- --sub m-1 --role mediator' : 'a mediator\'s token from the identity provider'})`,
      `Worker metrics         http://localhost:${config.WORKER_METRICS_PORT}/metrics`,
      `Workflow payloads      ${config.PAYLOAD_ENCRYPTION_KEYS ? `encrypted, key ${config.PAYLOAD_ENCRYPTION_KEYS.currentId}` : 'in clear (dev; PAYLOAD_ENCRYPTION_KEYS encrypts them)'}`,
      ...(config.AUTH_JWT_SECRET ? [`AUTH_JWT_SECRET        ${devSecret(config.AUTH_JWT_SECRET, DEV_AUTH_JWT_SECRET)}`] : []),
      ...(config.AUTH_JWKS_URL ? [`AUTH_JWKS_URL          ${config.AUTH_JWKS_URL}  (tokens from the identity provider)`] : []),
      `PAYMENTS_WEBHOOK_SECRET ${devSecret(config.PAYMENTS_WEBHOOK_SECRET, DEV_PAYMENTS_WEBHOOK_SECRET)}`,
      ...(config.PAYMENT_PROVIDER === 'stripe'
        ? [`STRIPE_WEBHOOK_SECRET  ${devSecret(config.STRIPE_WEBHOOK_SECRET ?? '', DEV_STRIPE_WEBHOOK_SECRET)}  (npm run stripe:event signs with it)`]
        : []),
      `Payment rail           PAYMENT_PROVIDER=${config.PAYMENT_PROVIDER}`,
      ...(config.AUTH_JWT_SECRET ? ['Tokens: npm run token -- --sub c-1 --role client'] : []),
      'Ctrl-C stops everything.',
    ].join('\n'),
  );
}

main().catch(async (err: unknown) => {
  console.error(`npm start failed: ${oneLine(err)}`);
  await shutdown(1);
});
