/**
 * An open-loop load generator: requests leave on a fixed schedule whatever the answers do, and each latency counts
 * from its scheduled moment (a server that stalls is charged for the requests queued behind the stall).
 */
import { performance } from 'node:perf_hooks';
import type { Reply } from './http';
import { latency, type Latency } from './stats';

export interface LoadResult {
  rate: number;
  seconds: number;
  sent: number;
  errors: number;
  latency: Latency;
  samples: number[];
}

/** Beyond this many requests in flight the generator stops sending and counts the rest as errors. */
const MAX_IN_FLIGHT = 2000;

export async function openLoop(rate: number, seconds: number, send: (i: number, since: number) => Promise<Reply>): Promise<LoadResult> {
  const total = Math.round(rate * seconds);
  const t0 = performance.now() + 20;
  const samples: number[] = [];
  let errors = 0;
  let inFlight = 0;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; ) {
    const now = performance.now();
    while (i < total && t0 + (i * 1000) / rate <= now) {
      const since = t0 + (i * 1000) / rate;
      if (inFlight >= MAX_IN_FLIGHT) errors += 1;
      else {
        inFlight += 1;
        pending.push(
          send(i, since).then((reply) => {
            inFlight -= 1;
            if (reply.status === 200) samples.push(reply.ms);
            else errors += 1;
          }),
        );
      }
      i += 1;
    }
    if (i < total) await new Promise((r) => setTimeout(r, Math.max(0, Math.min(5, t0 + (i * 1000) / rate - performance.now()))));
  }
  await Promise.all(pending);
  return { rate, seconds, sent: total, errors, latency: latency(samples), samples };
}

/** The highest of `rates` at which p99 stays ≤ `p99Ms` without errors, trying them in order until one fails. */
export async function maxRate(rates: number[], seconds: number, p99Ms: number, send: (i: number, since: number) => Promise<Reply>): Promise<{ rate: number; tried: { rate: number; p99: number; errors: number }[] }> {
  let best = 0;
  const tried: { rate: number; p99: number; errors: number }[] = [];
  for (const rate of rates) {
    const r = await openLoop(rate, seconds, send);
    tried.push({ rate, p99: r.latency.p99, errors: r.errors });
    if (r.errors > 0 || !(r.latency.p99 <= p99Ms)) break;
    best = rate;
  }
  return { rate: best, tried };
}
