import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = path.resolve(__dirname, '..');

/**
 * The credentials `npm start` gives the Stripe rail with stripe-mock. The mock takes any `sk_test_<word>` key, the word
 * without underscores: `sk_test_dev_stripe_mock` is refused.
 */
export const DEV_STRIPE_SECRET_KEY = 'sk_test_devOnlyStripeMock000000000000000';
export const DEV_STRIPE_WEBHOOK_SECRET = 'whsec_dev_only_change_me_000000000000000';

export interface StripeMock {
  /** http://127.0.0.1:<port>, for STRIPE_API_URL */
  url: string;
  port: number;
  /** the running process, for a supervisor that watches it */
  child: ChildProcess;
  stop(): Promise<void>;
}

function onPath(name: string): string | undefined {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .map((dir) => dir && path.join(dir, name))
    .find((candidate) => candidate && existsSync(candidate));
}

/** stripe-mock: .tools/bin (scripts/install-stripe-mock.sh), then PATH. */
export function stripeMockPath(): string | undefined {
  const local = path.join(ROOT, '.tools', 'bin', 'stripe-mock');
  return existsSync(local) ? local : onPath('stripe-mock');
}

/**
 * Stripe's API mock on `port`, plain HTTP; by default on a port the system picks, so that no two runs race for one.
 * It validates every request against Stripe's OpenAPI spec and answers with fixtures; it keeps no state.
 */
export async function startStripeMock(opts: { port?: number } = {}): Promise<StripeMock> {
  const bin = stripeMockPath();
  if (!bin) throw new Error('stripe-mock not found: run `bash scripts/install-stripe-mock.sh`');
  // `-http-port` alone serves HTTP only; `-http-addr` would still open HTTPS on 12112 (v0.203.0's main.go).
  // `-strict-version-check` refuses an SDK whose pinned API version is not the mock's.
  const args = ['-http-port', String(opts.port ?? 0), '-strict-version-check'];
  const child = spawnWithParent(bin, args);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let port: number;
  try {
    port = await listening(child, 15000);
  } catch (err) {
    child.kill('SIGKILL');
    process.off('exit', killOnExit);
    throw err;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Under setpriv's parent-death signal where there is one, so that the mock dies with a parent killed outright. */
function spawnWithParent(bin: string, args: string[]): ChildProcess {
  const setpriv = process.platform === 'linux' ? onPath('setpriv') : undefined;
  const [command, argv] = setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', bin, ...args]] : [bin, args];
  return spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * The port the child says it listens on, once it does: a port merely answering could be another process's, which the
 * child then fails to bind. Its later output (a line per request) is read and dropped.
 */
function listening(child: ChildProcess, timeoutMs: number): Promise<number> {
  const tail: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`stripe-mock not listening after ${timeoutMs} ms`), timeoutMs);
    function fail(why: string) {
      clearTimeout(timer);
      reject(new Error(`${why}: ${tail.join(' | ')}`));
    }
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        tail.push(line);
        if (tail.length > 5) tail.shift();
        const bound = /^Listening for HTTP at address: .*:(\d+)$/.exec(line);
        if (bound) {
          clearTimeout(timer);
          resolve(Number(bound[1]));
        }
      });
    }
    child.once('error', (err) => fail(err.message));
    // `close`, not `exit`: by then its last lines (why it stopped) have been read
    child.once('close', (code, signal) => fail(`stripe-mock exited (${signal ?? code})`));
  });
}
