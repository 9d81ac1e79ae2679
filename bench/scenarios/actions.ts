/**
 * Scenario 3: the round trip of the actions people make (complete, release, dispute, proposal, decision) through
 * the API, against a no-op update on a floor workflow through the Temporal client.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { noopHost } from '../floor/driver';
import { log, pool, type Context, type ScenarioResult } from '../scenario';
import { latency, ratio, type Latency } from '../stats';
import { latencyHistogram } from '../svg';

const ACTIONS = ['complete', 'release', 'dispute', 'proposal', 'decision'] as const;
type Action = (typeof ACTIONS)[number];

export async function actionRoundTrip(ctx: Context): Promise<ScenarioResult> {
  const each = ctx.quick ? 12 : 200;
  const samples: Record<Action, number[]> = { complete: [], release: [], dispute: [], proposal: [], decision: [] };
  const concurrency = 4;
  // one release life and one dispute life per sample; a complete in each
  const plans = Array.from({ length: each * 2 }, (_, i) => (i % 2 === 0 ? 'release' : 'dispute'));
  await pool(plans, concurrency, async (kind) => {
    const { projectId, milestoneIds } = await ctx.lives.createProject([100_000], 'Actions');
    const m = milestoneIds[0];
    if (kind === 'release') {
      const t = await ctx.lives.happy(projectId, m);
      samples.complete.push(t.complete);
      samples.release.push(t.release);
    } else {
      const t = await ctx.lives.disputeDecided(projectId, m);
      samples.complete.push(t.complete);
      samples.dispute.push(t.dispute);
      samples.proposal.push(t.proposal);
      samples.decision.push(t.decision);
    }
  });
  const noop: number[] = [];
  const hosts = await Promise.all(Array.from({ length: concurrency }, () => noopHost(ctx.stack.temporal)));
  await pool(Array.from({ length: each * 2 }), concurrency, async (_, i) => {
    const started = performance.now();
    await hosts[i % concurrency].update();
    noop.push(performance.now() - started);
  });
  await Promise.all(hosts.map((h) => h.finish()));
  const figures = Object.fromEntries(ACTIONS.map((a) => [a, latency(samples[a])])) as Record<Action, Latency>;
  const floor = latency(noop);
  const worst = Math.max(...ACTIONS.map((a) => figures[a].p99));
  const r = ratio(worst, floor.p99);
  const plots: string[] = [];
  for (const a of ACTIONS) {
    const plot = `action-${a}.svg`;
    writeFileSync(path.join(ctx.plotsDir, plot), latencyHistogram(`${a}: round trip through the API`, samples[a], figures[a]));
    plots.push(plot);
  }
  const clientActions = Math.max(figures.complete.p99, figures.release.p99);
  log(`actions: ${ACTIONS.map((a) => `${a} p99 ${figures[a].p99} ms`).join(', ')}; no-op update p99 ${floor.p99} ms`);
  return {
    id: 3,
    name: 'Action round trip',
    figures,
    baseline: { noopUpdate: floor },
    ratio: r,
    headline: `${ACTIONS.map((a) => `${a} p50 ${figures[a].p50} / p99 ${figures[a].p99} ms`).join('; ')}; no-op update p50 ${floor.p50} / p99 ${floor.p99} ms`,
    goals: [
      { text: `complete/release p99 ≤ 100 ms (${clientActions} ms)`, met: clientActions <= 100 },
      { text: `every action p99 ≤ 100 ms (worst ${worst} ms)`, met: worst <= 100 },
      { text: `p99 ≤ 2 × the no-op update (${r} ×)`, met: r <= 2 },
    ],
    plots,
    notes: [`${concurrency} lives at a time; ${each} release lives and ${each} dispute lives`],
  };
}
