import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../dev/embedded-postgres';
import { freePort, waitForPort } from '../../dev/free-port';
import { startStripeMock, stripeMockPath, type StripeMock } from '../../dev/stripe-mock';
import { temporalCliPath } from '../../dev/temporal-binaries';
import { spawnTemporalDevServer } from '../../dev/temporal-dev-server';

/**
 * One real PostgreSQL for the whole run (each test file creates its own database in it: tests/helpers/db.ts), and
 * one Temporal dev server (each test system has its own task queue, every workflow its own id), and one stripe-mock
 * (stateless), each announced once.
 */
export default async function globalSetup(): Promise<void> {
  const parent = mkdtempSync(path.join(tmpdir(), 'escrow-test-'));
  chmodSync(parent, 0o755); // PostgreSQL runs as its own user when the tests run as root
  const [pg, temporal, stripe] = await Promise.all([
    startEmbeddedPostgres({ dir: path.join(parent, 'pg'), persistent: false }),
    startTemporal(),
    startStripe(),
  ]);
  process.env.TEST_PG_PORT = String(pg.port);
  Object.assign(globalThis, { __escrowTestPg: pg, __escrowTestTemporal: temporal, __escrowTestStripe: stripe, __escrowTestDir: parent });
}

async function startStripe(): Promise<StripeMock | undefined> {
  const bin = stripeMockPath();
  if (!bin) {
    // the other tests need no Stripe: only the Stripe rail's fail, without STRIPE_MOCK_URL
    process.stdout.write('\nstripe-mock not installed (bash scripts/install-stripe-mock.sh): the Stripe tests will fail\n');
    return undefined;
  }
  const mock = await startStripeMock();
  process.stdout.write(`\nstripe-mock for this run: ${mock.url} (${bin})\n`);
  process.env.STRIPE_MOCK_URL = mock.url;
  return mock;
}

async function startTemporal(): Promise<ChildProcess | undefined> {
  const cli = temporalCliPath();
  if (!cli) return undefined; // tests/helpers/temporal.ts lets the SDK start one per system instead
  const port = await freePort();
  const child = spawnTemporalDevServer(cli, {
    port,
    logLevel: 'error',
    // its errors only: its banner comes through a pipe, buffered until it exits, so the line below stands for it
    onLine: ({ level, msg }) => {
      if (level === 'error') process.stdout.write(`temporal: ${msg}\n`);
    },
  });
  await waitForPort(port, 30000);
  process.stdout.write(`\nTemporal dev server for this run: 127.0.0.1:${port} (${cli})\n`);
  process.env.TEST_TEMPORAL_ADDRESS = `127.0.0.1:${port}`;
  return child;
}
