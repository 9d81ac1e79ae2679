import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../dev/free-port';
import { freshDatabase } from '../helpers/db';
import { uniq } from '../helpers/fixtures';
import { latePort } from '../helpers/late-port';
import { eventually } from '../helpers/temporal';

/** Started before PostgreSQL and Temporal, the API and the worker wait for them, saying so, instead of exiting. */
const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function start(entry: string, env: NodeJS.ProcessEnv): { child: ChildProcess; said: (msg: string) => boolean; exited: () => boolean } {
  const child = spawn(TSX, [entry], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const messages: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        try {
          messages.push((JSON.parse(line) as { msg: string }).msg);
        } catch {
          if (line.trim()) messages.push(line);
        }
      }
    });
  }
  return { child, said: (msg) => messages.includes(msg), exited: () => child.exitCode !== null || child.signalCode !== null };
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    process.kill(-child.pid!, 'SIGKILL');
  });

test.each([
  ['api', 'api/main.ts'],
  ['worker', 'worker/main.ts'],
])('the %s waits for PostgreSQL, then for Temporal, then runs', async (name, entry) => {
  const { db, url } = await freshDatabase();
  await db.end();
  const pgPort = Number(new URL(url).port);
  const temporalPort = Number(process.env.TEST_TEMPORAL_ADDRESS!.split(':').pop());
  const [pg, temporal] = await Promise.all([latePort(pgPort), latePort(temporalPort)]);
  const apiPort = await freePort();
  const proc = start(entry, {
    DATABASE_URL: url.replace(`:${pgPort}/`, `:${pg.port}/`),
    TEMPORAL_ADDRESS: `127.0.0.1:${temporal.port}`,
    TEMPORAL_TASK_QUEUE: uniq('tq'),
    PORT: String(apiPort),
  });
  try {
    await eventually(() => proc.said('waiting for PostgreSQL') || undefined, 30_000, `${name} waiting for PostgreSQL`);
    await pg.open();
    await eventually(() => proc.said('waiting for Temporal') || undefined, 40_000, `${name} waiting for Temporal`);
    expect(proc.exited()).toBe(false);
    await temporal.open();
    if (name === 'api') {
      await eventually(() => fetch(`http://127.0.0.1:${apiPort}/ready`).then((r) => (r.ok ? true : undefined), () => undefined), 40_000, 'API ready');
    } else {
      await eventually(() => proc.said('worker running') || undefined, 40_000, 'worker running');
    }
  } finally {
    await stop(proc.child);
    await Promise.all([pg.close(), temporal.close()]);
  }
}, 120_000);
