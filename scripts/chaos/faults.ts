/**
 * The fault schedule, drawn from the seed alone (the same seed gives the same schedule), and its injection: SIGKILL of
 * a worker's or an API's process group (an API while requests are in flight), PostgreSQL stopped in immediate mode
 * (or crashed) and started again on its data, the Temporal server killed and started again on its SQLite file.
 */
import { oneLine } from '../fail';
import type { Plan } from './args';
import type { ApiClient } from './client';
import { elapsed, log, sleep } from '../topology/log';
import type { Proc } from '../topology/processes';
import type { Rng } from './rng';
import type { System } from '../topology/system';

export const FAULT_KINDS = ['worker-kill', 'api-kill', 'postgres-restart', 'temporal-restart'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  /** ms after the lives start */
  at: number;
  kind: FaultKind;
  /** which worker or API (0-based) */
  target: number;
  /** how long the process stays down */
  downMs: number;
  /** postgres: `immediate` (SIGQUIT to the postmaster: immediate shutdown) or `crash` (SIGKILL of its group) */
  mode: 'sigkill' | 'immediate' | 'crash';
}

export interface FaultRecord extends Fault {
  process: string;
  /** seconds since the harness started */
  killedAt?: number;
  upAgainAt?: number;
  /** requests in flight on that API when it was killed */
  inFlight?: number;
  /** the process had not finished starting (waiting for a dependency, say) */
  whileStarting?: boolean;
  skipped?: string;
  error?: string;
}

/** Per plan, for 60 milestones; fewer milestones scale the counts down (at least one of each). */
const COUNTS: Record<Exclude<Plan, 'none'>, Record<FaultKind, number>> = {
  default: { 'worker-kill': 3, 'api-kill': 3, 'postgres-restart': 2, 'temporal-restart': 2 },
  processes: { 'worker-kill': 3, 'api-kill': 3, 'postgres-restart': 0, 'temporal-restart': 0 },
  storm: { 'worker-kill': 10, 'api-kill': 10, 'postgres-restart': 5, 'temporal-restart': 5 },
};

/** How long a process takes to serve again once started (a worker bundles its workflows: ~8 s on a loaded machine). */
const RECOVERY_MS: Record<FaultKind, number> = { 'worker-kill': 10_000, 'api-kill': 6000, 'postgres-restart': 3000, 'temporal-restart': 3000 };

function downtime(rng: Rng, kind: FaultKind): number {
  switch (kind) {
    case 'worker-kill':
      return rng.int(500, 4000);
    case 'api-kill':
      return rng.int(500, 3000);
    default:
      return rng.int(5000, 15000);
  }
}

/**
 * How long the lives should take without faults, from the number of milestones and how many run at once (measured
 * here: about 25 s a wave of milestones, 2 cores shared): the window the faults are spread over.
 */
export const expectedLivesMs = (milestones: number, concurrency: number): number => 20_000 + Math.ceil(milestones / concurrency) * 25_000;

/**
 * `none`: no fault (a baseline). `default`: a handful of each, one at a time, spread over the expected length of the
 * lives (a fault starts once the previous one has recovered). `storm`: many, at random over the same window,
 * overlapping, with a worker killed during a PostgreSQL outage and an API killed during a Temporal outage.
 */
export function faultSchedule(plan: Plan, rng: Rng, o: { milestones: number; concurrency: number; workers: number; apis: number }): Fault[] {
  if (plan === 'none') return [];
  const scale = Math.min(1, o.milestones / 60);
  const kinds: FaultKind[] = [];
  for (const kind of FAULT_KINDS) {
    if (COUNTS[plan][kind] === 0) continue;
    const n = Math.max(plan === 'storm' ? 2 : 1, Math.round(COUNTS[plan][kind] * scale));
    for (let i = 0; i < n; i++) kinds.push(kind);
  }
  const target = (kind: FaultKind) => (kind === 'worker-kill' ? rng.int(0, o.workers - 1) : kind === 'api-kill' ? rng.int(0, o.apis - 1) : 0);
  const mode = (kind: FaultKind): Fault['mode'] =>
    kind !== 'postgres-restart' ? 'sigkill' : plan === 'storm' && rng.chance(0.5) ? 'crash' : 'immediate';
  // `processes` stops no dependency, so nothing slows the lives down: the faults must come sooner to land in them.
  const window = expectedLivesMs(o.milestones, o.concurrency) * (plan === 'processes' ? 0.4 : 1);
  const faults: Fault[] = [];
  if (plan !== 'storm') {
    const slot = (window - 5000) / kinds.length;
    let free = 0;
    for (const [i, kind] of rng.shuffle(kinds).entries()) {
      const at = Math.max(5000 + i * slot + rng.int(0, Math.floor(slot / 2)), free);
      const downMs = downtime(rng, kind);
      faults.push({ at, kind, target: target(kind), downMs, mode: mode(kind) });
      // the next one once this one has recovered
      free = at + downMs + RECOVERY_MS[kind] + rng.int(2000, 5000);
    }
    return faults;
  }
  for (const kind of kinds) {
    faults.push({ at: 5000 + rng.int(0, window - 5000), kind, target: target(kind), downMs: downtime(rng, kind), mode: mode(kind) });
  }
  const pg = faults.find((f) => f.kind === 'postgres-restart')!;
  faults.push({ at: pg.at + 2000, kind: 'worker-kill', target: target('worker-kill'), downMs: downtime(rng, 'worker-kill'), mode: 'sigkill' });
  const temporal = faults.find((f) => f.kind === 'temporal-restart')!;
  faults.push({ at: temporal.at + 1000, kind: 'api-kill', target: target('api-kill'), downMs: downtime(rng, 'api-kill'), mode: 'sigkill' });
  // Overlapping, but never twice the same process at once: a second fault on it waits until it is back.
  faults.sort((a, b) => a.at - b.at);
  const backAt = new Map<string, number>();
  for (const f of faults) {
    const proc = `${f.kind}#${f.target}`;
    f.at = Math.max(f.at, backAt.get(proc) ?? 0);
    backAt.set(proc, f.at + f.downMs + RECOVERY_MS[f.kind] + rng.int(1000, 3000));
  }
  return faults.sort((a, b) => a.at - b.at);
}

export class FaultInjector {
  readonly records: FaultRecord[];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly system: System,
    private readonly api: ApiClient,
    schedule: Fault[],
  ) {
    this.records = schedule.map((f) => ({ ...f, process: this.procOf(f).name }));
  }

  private procOf(f: Fault): Proc {
    switch (f.kind) {
      case 'worker-kill':
        return this.system.workers[f.target];
      case 'api-kill':
        return this.system.apis[f.target];
      case 'postgres-restart':
        if (!this.system.postgres) throw new Error('PostgreSQL is not the harness\'s to restart');
        return this.system.postgres;
      case 'temporal-restart':
        return this.system.temporal;
    }
  }

  /** Arms every fault relative to now. */
  start(): void {
    for (const record of this.records) {
      this.timers.push(
        setTimeout(() => {
          const p = this.inject(record).catch((err: unknown) => {
            record.error = oneLine(err);
          });
          this.running.add(p);
          void p.finally(() => this.running.delete(p));
        }, record.at),
      );
    }
  }

  private async inject(f: FaultRecord): Promise<void> {
    if (this.stopped) return;
    const proc = this.procOf(f);
    // a process still starting is killed like a running one (a crash during start-up); one not running is skipped
    if (proc.state === 'down' || proc.state === 'stopped') {
      f.skipped = `${proc.name} was ${proc.state}`;
      log(`fault ${f.kind} on ${proc.name} skipped: it was ${proc.state}`);
      return;
    }
    if (f.kind === 'api-kill') {
      // while requests are in flight on it, if any come within 5 s
      const base = this.system.apiUrls[f.target];
      for (let waited = 0; waited < 5000 && (this.api.inFlight.get(base) ?? 0) === 0; waited += 50) await sleep(50);
      f.inFlight = this.api.inFlight.get(base) ?? 0;
    }
    f.killedAt = elapsed();
    if (proc.state === 'starting') f.whileStarting = true;
    log(`FAULT ${f.kind} ${proc.name}${f.whileStarting ? ' (while it was starting)' : ''}${f.kind === 'postgres-restart' ? ` (${f.mode})` : ''}${f.inFlight !== undefined ? `, ${f.inFlight} request(s) in flight` : ''}; down for ${(f.downMs / 1000).toFixed(1)} s`);
    if (f.mode === 'immediate') await proc.kill('SIGQUIT', { leader: true, reason: 'immediate shutdown' });
    else await proc.kill('SIGKILL', { reason: f.kind });
    await sleep(f.downMs);
    try {
      await proc.start();
      f.upAgainAt = elapsed();
    } catch (err) {
      // it exited again by itself: its supervisor keeps restarting it
      f.error = `restart: ${oneLine(err)}`;
    }
  }

  /** No new fault from now on; waits for those under way to have restarted their process. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    for (const f of this.records) if (f.killedAt === undefined && !f.skipped) f.skipped = 'the lives were over';
    await Promise.all([...this.running]);
  }
}
