/**
 * Scenario 1: milestones paid per second, N at a time, through the API (project, deposit, complete, release, payment
 * request, paid), against the floor workflow doing the same Temporal commands with no-op activities.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { floorLife } from '../floor/driver';
import { log, pool, type Context, type ScenarioResult } from '../scenario';
import { ratio } from '../stats';
import { lineChart } from '../svg';

interface Level {
  concurrency: number;
  lives: number;
  seconds: number;
  perSecond: number;
}

async function measure(concurrency: number, lives: number, live: () => Promise<unknown>): Promise<Level> {
  const started = performance.now();
  await pool(Array.from({ length: lives }), concurrency, () => live());
  const seconds = (performance.now() - started) / 1000;
  return { concurrency, lives, seconds: Math.round(seconds * 100) / 100, perSecond: Math.round((lives / seconds) * 100) / 100 };
}

export async function lifecycleThroughput(ctx: Context): Promise<ScenarioResult> {
  const plan = ctx.floorPlan;
  if (!plan) throw new Error('scenario 1 needs the floor plan of scenario 6');
  const levels = ctx.quick ? [2, 8] : [1, 4, 16, 32];
  const livesAt = (c: number) => Math.max(ctx.quick ? 4 : 8, c * 2);
  const ours: Level[] = [];
  const floor: Level[] = [];
  for (const c of levels) {
    floor.push(await measure(c, livesAt(c), () => floorLife(ctx.stack.temporal, plan)));
    ours.push(
      await measure(c, livesAt(c), async () => {
        const { projectId, milestoneIds } = await ctx.lives.createProject([100_000], 'Débit');
        await ctx.lives.happy(projectId, milestoneIds[0]);
      }),
    );
    log(`lifecycle: ${c} at a time: ours ${ours.at(-1)!.perSecond}/s, floor ${floor.at(-1)!.perSecond}/s`);
  }
  const best = (ls: Level[]) => Math.max(...ls.map((l) => l.perSecond));
  const r = ratio(best(ours), best(floor));
  const plot = 'lifecycle-throughput.svg';
  writeFileSync(
    path.join(ctx.plotsDir, plot),
    lineChart('Milestones paid per second, by lives at a time', 'milestones at a time', 'paid per second', [
      { name: 'floor (no-op activities)', points: floor.map((l) => [l.concurrency, l.perSecond]) },
      { name: 'ours, through the API', points: ours.map((l) => [l.concurrency, l.perSecond]) },
    ]),
  );
  return {
    id: 1,
    name: 'Lifecycle throughput vs the engine’s floor',
    figures: { levels: ours },
    baseline: { levels: floor },
    ratio: r,
    headline: `best ${best(ours)} paid/s vs floor ${best(floor)}/s (${levels.join('/')} at a time)`,
    goals: [{ text: `ours ≥ 0.8 × the floor (${r})`, met: r >= 0.8 }],
    plots: [plot],
  };
}
