/**
 * Scenario 2: the reads the frontend and the SMA make, at 200 req/s with the database holding every project the
 * bench created (≥ 1,000 in the full run), and the highest rate each sustains at p99 ≤ 50 ms; `/health` on the same
 * process is the baseline: the HTTP stack with no database and no Temporal behind it.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Reply } from '../http';
import { maxRate, openLoop } from '../load';
import { log, type Context, type ScenarioResult } from '../scenario';
import { ratio } from '../stats';
import { latencyHistogram } from '../svg';

const RATE = 200;
const P99_LIMIT = 50;
const GOAL_P99 = 20;

export async function readsUnderLoad(ctx: Context): Promise<ScenarioResult> {
  const { api, people, db } = ctx.stack;
  const clients = new Map(people.pairs.map((p) => [p.client.sub, p.client]));
  const { rows } = await db.query<{ id: string; client_id: string }>('SELECT id, client_id FROM projects ORDER BY random() LIMIT 1000');
  const projects = rows.filter((r) => clients.has(r.client_id));
  if (projects.length === 0) throw new Error('no projects to read');
  const pick = (i: number) => projects[(i * 7919) % projects.length];
  const providers = people.pairs.map((p) => p.provider);
  const reads: Record<string, (i: number, since: number) => Promise<Reply>> = {
    health: (_, since) => api.get('/health', undefined, since),
    paymentSummary: (i, since) => api.get(`/v1/projects/${pick(i).id}/payments`, clients.get(pick(i).client_id), since),
    project: (i, since) => api.get(`/v1/projects/${pick(i).id}`, clients.get(pick(i).client_id), since),
    paymentRequestDashboard: (i, since) => api.get('/v1/me/payment-requests', providers[i % providers.length], since),
    smaQueue: (_, since) => api.get('/v1/mediation/disputes?state=escalated', people.mediator, since),
  };
  const seconds = ctx.quick ? 3 : 30;
  const rates = ctx.quick ? [400, 1000, 2000] : [200, 300, 400, 600, 800, 1000, 1200, 1600, 2000, 2400, 3200, 4000, 6000, 8000, 10000];
  const figures: Record<string, unknown> = {};
  const plots: string[] = [];
  for (const [name, send] of Object.entries(reads)) {
    await openLoop(100, 1, send); // warm: connections, caches, JIT
    const at200 = await openLoop(RATE, seconds, send);
    const { samples, ...rest } = at200;
    const plot = `reads-${name}.svg`;
    writeFileSync(path.join(ctx.plotsDir, plot), latencyHistogram(`${name} at ${RATE} req/s for ${seconds} s`, samples, at200.latency));
    plots.push(plot);
    const holds = at200.errors === 0 && at200.latency.p99 <= P99_LIMIT;
    const ceiling = holds ? await maxRate(rates, ctx.quick ? 1 : 5, P99_LIMIT, send) : { rate: 0, tried: [] };
    ceiling.rate = holds ? Math.max(RATE, ceiling.rate) : 0;
    figures[name] = { at200: rest, maxRateAtP99Under50ms: ceiling.rate, ceilingSteps: ceiling.tried };
    log(`reads: ${name}: p50 ${at200.latency.p50} / p99 ${at200.latency.p99} / max ${at200.latency.max} ms, ${at200.errors} errors; ≤ ${P99_LIMIT} ms p99 up to ${ceiling.rate} req/s`);
  }
  type F = { at200: { latency: { p99: number }; errors: number }; maxRateAtP99Under50ms: number };
  const f = figures as Record<string, F>;
  const { health, ...ours } = f;
  const summary = f.paymentSummary;
  const worst = Math.max(...Object.values(ours).map((x) => x.at200.latency.p99));
  return {
    id: 2,
    name: 'Reads under load',
    figures: ours,
    baseline: { health },
    ratio: ratio(summary.maxRateAtP99Under50ms, health.maxRateAtP99Under50ms),
    headline: `${Object.entries(ours).map(([n, x]) => `${n} p99 ${x.at200.latency.p99} ms, ≤ 50 ms up to ${x.maxRateAtP99Under50ms}/s`).join('; ')}; /health p99 ${health.at200.latency.p99} ms, up to ${health.maxRateAtP99Under50ms}/s`,
    goals: [
      { text: `payment summary p99 ≤ ${GOAL_P99} ms at ${RATE} req/s (${summary.at200.latency.p99} ms)`, met: summary.at200.latency.p99 <= GOAL_P99 && summary.at200.errors === 0 },
      { text: `every read p99 ≤ ${GOAL_P99} ms at ${RATE} req/s (worst ${worst} ms)`, met: worst <= GOAL_P99 },
    ],
    plots,
    notes: [`${projects.length} projects read, shared by ${providers.length} clients and ${providers.length} providers; ${seconds} s per read; the load generator shares the machine's 2 cores with the API`],
  };
}
