/**
 * Readiness under faults: every 2 s, `GET /ready` on each API process that is up, as a load balancer would. It must
 * answer within 5 s whatever is down, and never say ready while PostgreSQL or Temporal is down.
 */
import { oneLine } from '../fail';
import type { Check } from './checks';
import { elapsed, sleep } from '../topology/log';
import type { System } from '../topology/system';

export interface ReadyProbe {
  api: string;
  /** seconds since the harness started */
  at: number;
  ms: number;
  status?: number;
  hung?: boolean;
  error?: string;
  /** dependencies the harness had down when the probe was sent, and still down when it was answered */
  down: string[];
  /** dependencies down when it was sent */
  downAtStart: string[];
}

const TIMEOUT_MS = 5000;

export class ReadinessWatch {
  readonly probes: ReadyProbe[] = [];
  private running = false;
  private loop?: Promise<void>;

  constructor(private readonly system: System) {}

  /** Dependencies not running at all (killed, not started again yet); one starting may already answer. */
  private downNow(): string[] {
    return [this.system.postgres, this.system.temporal].filter((p) => p?.state === 'down').map((p) => p!.name);
  }

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const up = this.system.apis.flatMap((proc, i) => (proc.isUp ? [this.probe(proc.name, this.system.apiUrls[i], () => proc.isUp)] : []));
        await Promise.all(up);
        await sleep(2000);
      }
    })();
  }

  private async probe(api: string, base: string, stillUp: () => boolean): Promise<void> {
    const before = this.downNow();
    const started = Date.now();
    const probe: ReadyProbe = { api, at: elapsed(started), ms: 0, down: [], downAtStart: before };
    try {
      const res = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
      await res.text();
      probe.status = res.status;
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === 'TimeoutError') probe.hung = true;
      else probe.error = oneLine(err);
    }
    probe.ms = Date.now() - started;
    const after = this.downNow();
    probe.down = before.filter((d) => after.includes(d));
    // a probe whose API was killed meanwhile says nothing about readiness
    if (stillUp()) this.probes.push(probe);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  check(): Check {
    const hung = this.probes.filter((p) => p.hung);
    const liar = this.probes.filter((p) => p.status === 200 && p.down.length > 0);
    const failures = [
      ...hung.map((p) => `GET /ready on ${p.api} at +${p.at}s did not answer within ${TIMEOUT_MS / 1000} s${p.downAtStart.length ? ` (${p.downAtStart.join(', ')} down when asked)` : ''}`),
      ...liar.map((p) => `GET /ready on ${p.api} at +${p.at}s answered 200 while ${p.down.join(', ')} was down`),
    ];
    const during = this.probes.filter((p) => p.downAtStart.length > 0);
    return {
      ok: failures.length === 0,
      failures,
      probes: this.probes.length,
      duringOutages: during.length,
      answeredDuringOutages: Object.fromEntries(
        [...new Set(during.map((p) => (p.hung ? 'hung' : String(p.status ?? p.error))))].map((k) => [k, during.filter((p) => (p.hung ? 'hung' : String(p.status ?? p.error)) === k).length]),
      ),
      slowestMs: this.probes.reduce((m, p) => Math.max(m, p.ms), 0),
    };
  }
}
