import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../dev/embedded-postgres';
import { freePort } from '../../dev/free-port';
import { temporalCliPath } from '../../dev/temporal-binaries';
import { spawnTemporalDevServer } from '../../dev/temporal-dev-server';

/**
 * One real PostgreSQL for the whole run (each test file creates its own database in it: tests/helpers/db.ts), and
 * one Temporal dev server (each test system has its own task queue, every workflow its own id): its banner once.
 */
export default async function globalSetup(): Promise<void> {
  const parent = mkdtempSync(path.join(tmpdir(), 'escrow-test-'));
  chmodSync(parent, 0o755); // PostgreSQL runs as its own user when the tests run as root
  const [pg, temporal] = await Promise.all([startEmbeddedPostgres({ dir: path.join(parent, 'pg'), persistent: false }), startTemporal()]);
  process.env.TEST_PG_PORT = String(pg.port);
  Object.assign(globalThis, { __escrowTestPg: pg, __escrowTestTemporal: temporal, __escrowTestDir: parent });
}

async function startTemporal(): Promise<ChildProcess | undefined> {
  const cli = temporalCliPath();
  if (!cli) return undefined; // tests/helpers/temporal.ts lets the SDK start one per system instead
  const port = await freePort();
  let started = false;
  const child = spawnTemporalDevServer(cli, {
    port,
    logLevel: 'error',
    // its banner while it starts, then its errors only (what it prints on being stopped is not one)
    onLine: ({ level, msg }) => {
      if (!started || level === 'error') process.stdout.write(`${msg}\n`);
    },
  });
  await listening(port, 30000);
  started = true;
  process.env.TEST_TEMPORAL_ADDRESS = `127.0.0.1:${port}`;
  return child;
}

async function listening(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const answers = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  while (!(await answers())) {
    if (Date.now() > deadline) throw new Error(`the Temporal dev server does not listen on ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
