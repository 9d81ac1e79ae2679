/**
 * Children the harness starts, kills and restarts. Each runs in its own process group (`detached`), so that a kill
 * reaches everything it started (tsx runs node under it; PostgreSQL its backends). A child that exits when nobody
 * killed it is logged and started again after a short backoff, as a process manager would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { oneLine } from '../fail';
import { log, sleep } from './log';

export interface ProcSpec {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** run as this user (PostgreSQL refuses root) */
  uid?: number;
  gid?: number;
  /** stdout and stderr, appended */
  logFile: string;
  /** resolves once the process serves; `alive()` turns false if it exits meanwhile */
  ready: (alive: () => boolean, proc: Proc) => Promise<void>;
  readyTimeoutMs?: number;
}

export type ProcState = 'down' | 'starting' | 'up' | 'stopped';

export interface ProcEvent {
  at: number;
  proc: string;
  what: 'started' | 'ready' | 'killed' | 'exited-by-itself' | 'restart-after-exit' | 'not-ready';
  detail?: string;
}

/** One supervised child. */
export class Proc {
  child?: ChildProcess;
  state: ProcState = 'down';
  readonly stats = { starts: 0, kills: 0, selfExits: 0 };
  private readonly out: WriteStream;
  private readonly lineWatchers = new Set<(line: string) => void>();
  /** set while the harness means the process to be down: its exit is not a crash */
  private expectExit = false;
  private backoffMs = 1000;
  private restartPending = false;
  private startPromise?: Promise<void>;

  constructor(
    readonly spec: ProcSpec,
    private readonly events: ProcEvent[],
  ) {
    this.out = createWriteStream(spec.logFile, { flags: 'a' });
  }

  get name(): string {
    return this.spec.name;
  }

  get isUp(): boolean {
    return this.state === 'up';
  }

  private note(what: ProcEvent['what'], detail?: string): void {
    this.events.push({ at: Date.now(), proc: this.name, what, detail });
    log(`${this.name}: ${what}${detail ? ` (${detail})` : ''}`);
  }

  /** Each line the process writes, until the returned function is called. */
  onLine(watch: (line: string) => void): () => void {
    this.lineWatchers.add(watch);
    return () => this.lineWatchers.delete(watch);
  }

  /** Starts the process and resolves once it is ready; a process already starting is waited for. */
  start(): Promise<void> {
    if (this.state === 'stopped') return Promise.resolve();
    if (this.state === 'starting' && this.startPromise) return this.startPromise;
    if (this.state === 'up') return Promise.resolve();
    this.startPromise = this.launch();
    return this.startPromise;
  }

  private async launch(): Promise<void> {
    const { spec } = this;
    this.state = 'starting';
    this.expectExit = false;
    this.stats.starts += 1;
    this.out.write(`\n----- ${spec.name} start #${this.stats.starts} at ${new Date().toISOString()} -----\n`);
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      uid: spec.uid,
      gid: spec.gid,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let exited = false;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.out.write(`${line}\n`);
        for (const watch of this.lineWatchers) watch(line);
      });
    }
    child.on('error', (err) => this.out.write(`spawn error: ${oneLine(err)}\n`));
    child.on('exit', (code, signal) => {
      exited = true;
      if (this.child !== child) return;
      const expected = this.expectExit || this.state === 'stopped';
      if (this.state !== 'stopped') this.state = 'down';
      if (!expected) this.crashed(`code ${code ?? '-'}, signal ${signal ?? '-'}`);
    });
    this.note('started', `pid ${child.pid ?? '?'}`);
    const timeout = spec.readyTimeoutMs ?? 120_000;
    const deadline = Date.now() + timeout;
    const alive = () => !exited && this.child === child && Date.now() < deadline;
    try {
      await spec.ready(alive, this);
    } catch (err) {
      if (exited || this.child !== child) throw new Error(`${spec.name} exited before it was ready`, { cause: err });
      this.note('not-ready', oneLine(err));
      throw err;
    }
    if (exited || this.child !== child) throw new Error(`${spec.name} exited before it was ready`);
    this.state = 'up';
    this.backoffMs = 1000;
    this.note('ready');
  }

  /** An exit nobody asked for: logged, and the process is started again after a backoff (1 s, doubling to 8 s). */
  private crashed(detail: string): void {
    this.stats.selfExits += 1;
    this.note('exited-by-itself', detail);
    if (this.restartPending) return;
    this.restartPending = true;
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, 8000);
    void sleep(wait).then(() => {
      this.restartPending = false;
      if (this.state !== 'down' || this.expectExit) return;
      this.note('restart-after-exit', `after ${wait} ms`);
      this.start().catch(() => undefined); // a second early exit schedules the next restart itself
    });
  }

  /**
   * Kills the process: by default SIGKILL to its whole group. `leader` sends the signal to the group leader only
   * (PostgreSQL's postmaster takes SIGQUIT as an immediate shutdown and stops its backends itself).
   */
  async kill(signal: NodeJS.Signals = 'SIGKILL', opts: { leader?: boolean; reason?: string } = {}): Promise<void> {
    const child = this.child;
    this.expectExit = true;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      if (this.state !== 'stopped') this.state = 'down';
      return;
    }
    this.stats.kills += 1;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.signal(child, signal, opts.leader ?? false);
    this.note('killed', `${signal}${opts.leader ? ' to the leader' : ' to the group'}${opts.reason ? `: ${opts.reason}` : ''}`);
    const late = setTimeout(() => this.signal(child, 'SIGKILL', false), 15_000);
    await exited;
    clearTimeout(late);
    // whatever the leader left behind in its group goes too (tsx's node child, a backend)
    this.signal(child, 'SIGKILL', false);
    if (this.state !== 'stopped') this.state = 'down';
  }

  private signal(child: ChildProcess, signal: NodeJS.Signals, leaderOnly: boolean): void {
    if (child.pid === undefined) return;
    try {
      process.kill(leaderOnly ? child.pid : -child.pid, signal);
    } catch {
      // already gone
    }
  }

  /** For good: SIGTERM to the group, SIGKILL after `graceMs`; never restarted. */
  async stop(graceMs = 5000): Promise<void> {
    this.state = 'stopped';
    this.expectExit = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.signal(child, 'SIGTERM', false);
    const late = setTimeout(() => this.signal(child, 'SIGKILL', false), graceMs);
    await exited;
    clearTimeout(late);
    this.signal(child, 'SIGKILL', false);
  }

  /** At the harness's own exit, when nothing can be awaited: the group of a child still running. */
  killNow(): void {
    this.state = 'stopped';
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) this.signal(child, 'SIGKILL', false);
  }

  close(): void {
    this.out.end();
  }
}

/** Resolves when `probe` succeeds, trying every `everyMs` while `alive()`. */
export async function until(alive: () => boolean, probe: () => Promise<boolean>, what: string, everyMs = 250): Promise<void> {
  let last = '';
  while (alive()) {
    try {
      if (await probe()) return;
    } catch (err) {
      last = oneLine(err);
    }
    await sleep(everyMs);
  }
  throw new Error(`${what}: not ready${last ? ` (${last})` : ''}`);
}
