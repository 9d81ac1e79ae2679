/**
 * Scenario 3: the round trip of the actions people make (complete, release, dispute, proposal, decision) through
 * the API, against a no-op update on a floor workflow through the Temporal client. Twice: one action at a time (the
 * round trip itself: complete and release, each in a life of its own), then among 4 lives at a time (what the
 * round trip becomes while other lives' actions, mails and payouts share the 2 cores), each against its own no-op.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { noopHost } from '../floor/driver';
import { log, pool, type Context, type ScenarioResult } from '../scenario';
import { latency, ratio, type Latency } from '../stats';
import { latencyHistogram } from '../svg';

const ACTIONS = ['complete', 'release', 'dispute', 'proposal', 'decision'] as const;
type Action = (typeof ACTIONS)[number];

/** `count` no-op updates through the Temporal client, `concurrency` at a time, each on a floor workflow of its own */
async function timedNoops(ctx: Context, count: number, concurrency: number): Promise<number[]> {
  const hosts = await Promise.all(Array.from({ length: concurrency }, () => noopHost(ctx.stack.temporal)));
  const times: number[] = [];
  await pool(Array.from({ length: count }), concurrency, async (_, i) => {
    const started = performance.now();
    await hosts[i % concurrency].update();
    times.push(performance.now() - started);
  });
  await Promise.all(hosts.map((h) => h.finish()));
  return times;
}

/** complete and release, one life after the other, and as many no-op updates one after the other */
async function oneAtATime(ctx: Context, each: number): Promise<{ complete: number[]; release: number[]; noop: number[] }> {
  const alone = { complete: [] as number[], release: [] as number[], noop: [] as number[] };
  for (let i = 0; i < each; i++) {
    const { projectId, milestoneIds } = await ctx.lives.createProject([100_000], 'Actions une à une');
    await ctx.lives.fund(projectId, milestoneIds[0]);
    alone.complete.push(await ctx.lives.complete(projectId, milestoneIds[0]));
    alone.release.push(await ctx.lives.release(projectId, milestoneIds[0]));
  }
  alone.noop = await timedNoops(ctx, each * 2, 1);
  return alone;
}

export async function actionRoundTrip(ctx: Context): Promise<ScenarioResult> {
  const each = ctx.quick ? 12 : 200;
  const alone = await oneAtATime(ctx, each);
  const aloneFigures = { complete: latency(alone.complete), release: latency(alone.release) };
  const aloneNoop = latency(alone.noop);
  const aloneWorst = Math.max(aloneFigures.complete.p99, aloneFigures.release.p99);
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
  const noop = await timedNoops(ctx, each * 2, concurrency);
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
  for (const a of ['complete', 'release'] as const) {
    const plot = `action-${a}-alone.svg`;
    writeFileSync(path.join(ctx.plotsDir, plot), latencyHistogram(`${a}: round trip through the API, one at a time`, alone[a], aloneFigures[a]));
    plots.push(plot);
  }
  const clientActions = Math.max(figures.complete.p99, figures.release.p99);
  const aloneRatio = ratio(aloneWorst, aloneNoop.p99);
  log(`actions one at a time: complete p99 ${aloneFigures.complete.p99} ms, release p99 ${aloneFigures.release.p99} ms, no-op update p99 ${aloneNoop.p99} ms`);
  log(`actions among ${concurrency} lives: ${ACTIONS.map((a) => `${a} p99 ${figures[a].p99} ms`).join(', ')}; no-op update p99 ${floor.p99} ms`);
  const line = (f: Latency) => `p50 ${f.p50} / p99 ${f.p99} ms`;
  return {
    id: 3,
    name: 'Action round trip',
    figures: { ...figures, oneAtATime: aloneFigures },
    baseline: { noopUpdate: floor, noopUpdateOneAtATime: aloneNoop },
    ratio: r,
    headline:
      `one at a time: complete ${line(aloneFigures.complete)}; release ${line(aloneFigures.release)}; no-op update ${line(aloneNoop)}. ` +
      `Among ${concurrency} lives: ${ACTIONS.map((a) => `${a} ${line(figures[a])}`).join('; ')}; no-op update ${line(floor)}`,
    goals: [
      { text: `complete/release p99 ≤ 100 ms, one at a time (${aloneWorst} ms)`, met: aloneWorst <= 100 },
      { text: `complete/release p99 ≤ 100 ms among ${concurrency} lives (${clientActions} ms)`, met: clientActions <= 100 },
      { text: `every action p99 ≤ 100 ms among ${concurrency} lives (worst ${worst} ms)`, met: worst <= 100 },
      { text: `p99 ≤ 2 × the no-op update, one at a time (${aloneRatio} ×)`, met: aloneRatio <= 2 },
      { text: `p99 ≤ 2 × the no-op update among ${concurrency} lives (${r} ×)`, met: r <= 2 },
    ],
    plots,
    notes: [`${each} complete and release one at a time, each in a life of its own; then ${concurrency} lives at a time: ${each} release lives and ${each} dispute lives`],
  };
}
