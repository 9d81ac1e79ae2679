/**
 * `npm start` as a supervisor stops it: one SIGTERM to its process, nothing else. Every service it started must be
 * gone afterwards (a Temporal dev server left behind holds its port and fails the next start).
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePortsIn } from '../../dev/free-port';
import { eventually } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => (socket.destroy(), resolve(false)));
  });

test('npm start serves, and one SIGTERM stops every service it started', async () => {
  const names = ['PORT', 'EMBEDDED_PG_PORT', 'TEMPORAL_DEV_PORT', 'TEMPORAL_UI_PORT', 'MAIL_CATCHER_SMTP_PORT', 'MAIL_CATCHER_HTTP_PORT', 'WORKER_METRICS_PORT'];
  // distinct ports below the ephemeral range, where the servers' own outgoing connections land
  const ports = await freePortsIn(names, 20_000, 32_000);
  // as root, PostgreSQL runs as the postgres user, who must be able to enter the data directory
  const dataDir = mkdtempSync(path.join(tmpdir(), 'npm-start-'));
  chmodSync(dataDir, 0o755);
  const env = { ...process.env, NODE_ENV: '', DATABASE_URL: '', TEMPORAL_ADDRESS: '', SMTP_URL: '', DATA_DIR: dataDir, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
  const start = spawn(TSX, ['scripts/start.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  start.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  start.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let ended = false;
  const exited = new Promise<number | null>((resolve) => start.once('exit', (code) => ((ended = true), resolve(code))));
  try {
    await eventually(() => (ended || output.includes('Ready in') ? true : undefined), 120000, 'npm start ready, or ended');
    if (ended) throw new Error(`npm start ended before it was ready:\n${output}`);
    const health = await fetch(`http://127.0.0.1:${ports.PORT}/health`);
    expect(health.status).toBe(200);
    // the worker opens its metrics port after its own start-up, which the API's readiness does not wait for
    for (const name of names) await eventually(async () => ((await listening(ports[name])) ? true : undefined), 20000, `${name} (${ports[name]}) served`);
  } finally {
    start.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  for (const name of names) {
    await eventually(async () => ((await listening(ports[name])) ? undefined : true), 10000, `nothing left on ${name} (${ports[name]})`);
  }
  expect(output).not.toMatch(/could not stop cleanly/);
  rmSync(dataDir, { recursive: true, force: true });
}, 300000);
