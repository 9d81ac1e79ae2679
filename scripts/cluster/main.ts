/**
 * `npm run cluster`: the production topology on one machine. The full Temporal server (built from its pinned Go module
 * on first use) on PostgreSQL with SQL visibility, its schemas applied by its own sql tool; 3 workers; 2 API processes
 * behind a round-robin proxy; the application on its own database of the same PostgreSQL server (embedded, or
 * DATABASE_URL's). Prints where everything is; Ctrl-C stops it all. The run's data and logs are in one directory,
 * kept and printed at the end.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEV_AUTH_JWT_SECRET, DEV_PAYMENTS_WEBHOOK_SECRET } from '../../lib/config';
import { oneLine } from '../fail';
import { log, logAs, logTo } from '../topology/log';
import { CLUSTER_SHAPE, System } from '../topology/system';
import { describeCluster } from '../topology/temporal-server';

/** The application's settings: the caller's environment over the defaults of `npm start` (the sandbox rail). */
function clusterSettings(env: NodeJS.ProcessEnv): Record<string, string> {
  const passed = Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] =>
        e[1] !== undefined && /^(NODE_ENV|PAYMENT_PROVIDER|PAYOUT_|STRIPE_|DEPOSIT_|RELEASE_|DISPUTE_|CLIENT_SILENCE_|RATE_LIMIT_|AUTH_|PAYMENTS_WEBHOOK_SECRET|IDEMPOTENCY_TTL|COMMISSION_RATE|ESCROW_FEE_RATE|LOG_LEVEL|MAIL_FROM|PLATFORM_URL)/.test(e[0]),
    ),
  );
  return {
    NODE_ENV: 'development',
    PAYMENT_PROVIDER: 'sandbox',
    AUTH_JWT_SECRET: DEV_AUTH_JWT_SECRET,
    PAYMENTS_WEBHOOK_SECRET: DEV_PAYMENTS_WEBHOOK_SECRET,
    LOG_LEVEL: 'info',
    // The proxy is the only caller the APIs see: the client's address is in X-Forwarded-For.
    TRUST_PROXY: 'loopback',
    ...passed,
  };
}

let system: System | undefined;
let stopping = false;

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('stopping: the APIs and workers first, then Temporal and PostgreSQL');
  await system?.stop().catch((err: unknown) => log(`could not stop cleanly: ${oneLine(err)}`));
  process.exit(code);
}

async function main(): Promise<void> {
  logAs('cluster');
  const started = Date.now();
  const dir = process.env.CLUSTER_DIR ? path.resolve(process.env.CLUSTER_DIR) : mkdtempSync(path.join(tmpdir(), 'escrow-cluster-'));
  logTo(path.join(dir, 'cluster.log'));
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  process.on('exit', () => system?.killNow());
  system = await System.start({
    ...CLUSTER_SHAPE,
    dir,
    settings: clusterSettings(process.env),
    postgresUrl: process.env.DATABASE_URL || undefined,
    proxyPort: Number(process.env.PORT ?? 3000),
    mailHttpPort: Number(process.env.MAIL_CATCHER_HTTP_PORT ?? 1080),
  });
  const temporal = await describeCluster(system.temporalAddress);
  console.log(
    [
      '',
      `Cluster ready in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
      `API (round robin)      ${system.url}  → ${system.apiUrls.join(', ')}  (reference ${system.url}/docs)`,
      `Workers                ${system.workers.map((w) => `${w.name} pid ${w.child?.pid}`).join(', ')}  task queue escrow`,
      `Temporal server        ${system.temporalAddress}  v${temporal.serverVersion}, persistence ${temporal.persistenceStore}, visibility ${temporal.visibilityStore}, ${temporal.historyShardCount} shards; metrics ${system.temporalMetricsUrl}`,
      `PostgreSQL             ${system.databaseUrl.replace(/:[^:@/]*@/, ':***@')}  (+ databases temporal, temporal_visibility)`,
      `Mail catcher           smtp://127.0.0.1:${system.mail.smtpPort}  inbox http://127.0.0.1:${system.mail.httpPort}`,
      `Payment orders inbox   ${system.inbox.url}`,
      `Logs and data          ${dir}`,
      `Tokens: npm run token -- --sub c-1 --role client`,
      'Ctrl-C stops everything.',
    ].join('\n'),
  );
}

main().catch(async (err: unknown) => {
  console.error(`npm run cluster failed: ${oneLine(err)}`);
  await stop(1);
});
