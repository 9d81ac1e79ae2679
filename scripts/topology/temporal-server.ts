/**
 * The full Temporal server of the production topology (not the dev server): the pinned release built from its Go
 * module (scripts/install-temporal-server.sh), its schemas applied to PostgreSQL by its own sql tool, the server
 * started on cluster/temporal.yaml, the namespace registered. What docker-compose.yml runs, on one machine.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { freePortsIn } from '../../dev/free-port';
import { ensureSearchAttributes } from '../../lib/search-attributes';

const run = promisify(execFile);
export const TEMPORAL_SERVER_VERSION = 'v1.32.2';
const ROOT = path.resolve(__dirname, '..', '..');
const DIR = path.join(ROOT, '.tools', 'temporal-server', TEMPORAL_SERVER_VERSION);
export const CLUSTER_CONFIG = path.join(ROOT, 'cluster', 'temporal.yaml');
export const CLUSTER_DYNAMIC_CONFIG = path.join(ROOT, 'cluster', 'dynamicconfig.yaml');
/** How long finished workflows stay visible: as the dev server's default namespace, long enough for an audit. */
const RETENTION_SECONDS = 30 * 24 * 3600;

export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
  /** the module source: schema/postgresql/v12/{temporal,visibility} */
  source: string;
}

/** The built server and sql tool; builds them first when missing (about 6 minutes cold, seconds with Go's cache warm). */
export async function temporalServerBinaries(say: (line: string) => void): Promise<TemporalServerBinaries> {
  const found = () => ({ server: path.join(DIR, 'server'), sqlTool: path.join(DIR, 'temporal-sql-tool'), source: path.join(DIR, 'source') });
  const ready = (b: TemporalServerBinaries) => existsSync(b.server) && existsSync(b.sqlTool) && existsSync(path.join(b.source, 'schema'));
  if (!ready(found())) {
    say(`building the Temporal server ${TEMPORAL_SERVER_VERSION} (scripts/install-temporal-server.sh; ~6 min the first time)`);
    const started = Date.now();
    await run('bash', [path.join(ROOT, 'scripts', 'install-temporal-server.sh')], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    say(`Temporal server built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  const binaries = found();
  if (!ready(binaries)) throw new Error(`the Temporal server is not in ${DIR} after scripts/install-temporal-server.sh`);
  return binaries;
}

export interface PgServer {
  host: string;
  port: number;
  user: string;
  password: string;
}

/**
 * Creates Temporal's two databases when missing and brings their schemas to the release's version with
 * cluster/setup-schemas.sh, the script the admin-tools container runs in docker-compose.yml. Running it again on
 * set-up databases changes nothing.
 */
export async function setUpTemporalSchemas(b: TemporalServerBinaries, pg: PgServer): Promise<void> {
  await run('sh', [path.join(ROOT, 'cluster', 'setup-schemas.sh')], {
    maxBuffer: 16 * 1024 * 1024,
    env: {
      PATH: `${path.dirname(b.sqlTool)}:${process.env.PATH}`,
      SQL_HOST: pg.host,
      SQL_PORT: String(pg.port),
      SQL_USER: pg.user,
      SQL_PASSWORD: pg.password,
      SCHEMA_DIR: path.join(b.source, 'schema', 'postgresql', 'v12'),
    },
  });
}

export interface ServerPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
  metrics: number;
}

/** Below the ephemeral range (the membership ports are stored as a smallint), and no two alike. */
export async function freeServerPorts(): Promise<ServerPorts> {
  const names: (keyof ServerPorts)[] = ['frontend', 'frontendHttp', 'frontendMembership', 'history', 'historyMembership', 'matching', 'matchingMembership', 'worker', 'workerMembership', 'metrics'];
  return freePortsIn(names, 20_000, 32_000);
}

/** The server's command line and environment: cluster/temporal.yaml reads its addresses and credentials from it. */
export function serverCommand(b: TemporalServerBinaries, pg: PgServer, ports: ServerPorts, logLevel = 'warn'): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  return {
    command: b.server,
    args: ['--config-file', CLUSTER_CONFIG, '--allow-no-auth', 'start'],
    env: {
      PATH: process.env.PATH,
      TEMPORAL_PG_ADDR: `${pg.host}:${pg.port}`,
      TEMPORAL_PG_USER: pg.user,
      TEMPORAL_PG_PASSWORD: pg.password,
      TEMPORAL_FRONTEND_PORT: String(ports.frontend),
      TEMPORAL_FRONTEND_HTTP_PORT: String(ports.frontendHttp),
      TEMPORAL_FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
      TEMPORAL_HISTORY_PORT: String(ports.history),
      TEMPORAL_HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
      TEMPORAL_MATCHING_PORT: String(ports.matching),
      TEMPORAL_MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
      TEMPORAL_WORKER_PORT: String(ports.worker),
      TEMPORAL_WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
      TEMPORAL_METRICS_PORT: String(ports.metrics),
      TEMPORAL_DYNAMIC_CONFIG: CLUSTER_DYNAMIC_CONFIG,
      TEMPORAL_LOG_LEVEL: logLevel,
    },
  };
}

/** Registers the namespace unless it exists (the full server, unlike the dev server, starts with none), and the workflows' search attributes. */
export async function ensureNamespace(address: string, namespace: string): Promise<'registered' | 'existed'> {
  const connection = await Connection.connect({ address, connectTimeout: 5000 });
  try {
    const exists = await connection.workflowService.describeNamespace({ namespace }).then(
      () => true,
      (err: { code?: number }) => {
        if (err.code === 5) return false; // NOT_FOUND
        throw err;
      },
    );
    if (exists) {
      await ensureSearchAttributes(connection.operatorService, namespace);
      return 'existed';
    }
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(RETENTION_SECONDS * 1000) });
    // The frontend answers from its namespace cache, refreshed every few seconds: wait until the namespace is served.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const served = await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 }).then(() => true, () => false);
      if (served) {
        await ensureSearchAttributes(connection.operatorService, namespace);
        return 'registered';
      }
      if (Date.now() > deadline) throw new Error(`namespace ${namespace} registered but not served after 30 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await connection.close();
  }
}

/** What the server says of itself: its version and where it persists (`postgres12` here, `sqlite` for the dev server). */
export async function describeCluster(address: string): Promise<{ serverVersion: string; persistenceStore: string; visibilityStore: string; historyShardCount: number }> {
  const connection = await Connection.connect({ address, connectTimeout: 5000 });
  try {
    const info = await connection.workflowService.getClusterInfo({});
    return {
      serverVersion: info.serverVersion ?? '',
      persistenceStore: info.persistenceStore ?? '',
      visibilityStore: info.visibilityStore ?? '',
      historyShardCount: info.historyShardCount ?? 0,
    };
  } finally {
    await connection.close();
  }
}
