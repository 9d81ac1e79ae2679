/**
 * Scenario 4: many milestones created and left awaiting their deposit, each waiting on its first deposit reminder
 * (DEPOSIT_REMINDER_SCHEDULE, set by the bench so that they fire within the run). The worker's memory and CPU while
 * they sleep; then, as they wake, how late each reminder's notice lands (the mail sent and the feed written), the
 * worker's CPU, and the sticky cache's hits, misses and evictions from the SDK's metrics.
 */
import { parseDuration } from '../../lib/duration';
import { watchUsage } from '../process-usage';
import { scrape } from '../prometheus';
import { log, pool, type Context, type ScenarioResult } from '../scenario';
import { latency } from '../stats';
import { until } from '../http';

const PER_PROJECT = 10;
const RSS_GOAL_BYTES = 1024 ** 3;
const MiB = 1024 * 1024;

function stickyCache(metrics: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...metrics].filter(([name]) => name.includes('sticky_cache')));
}

/** `count` milestones, created at an even pace over `spreadMs` (0: as fast as the API takes them, 8 projects at a time). */
export async function sleepingMilestones(ctx: Context, count: number, spreadMs: number): Promise<ScenarioResult> {
  const { stack, lives } = ctx;
  const reminderMs = parseDuration(stack.settings.DEPOSIT_REMINDER_SCHEDULE.split(',')[0]);
  const cacheBefore = stickyCache(await scrape(stack.workerMetricsUrl));
  const createdAt = new Map<string, number>();
  const started = Date.now();
  const projects = Math.ceil(count / PER_PROJECT);
  await pool(Array.from({ length: projects }), 8, async (_, i) => {
    const due = started + (i * spreadMs) / projects;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    const { milestoneIds, at } = await lives.createProject(Array.from({ length: PER_PROJECT }, () => 50_000), 'En attente de dépôt');
    for (const id of milestoneIds) createdAt.set(id, at);
  });
  const createSeconds = (Date.now() - started) / 1000;
  log(`sleeping: ${createdAt.size} milestones created in ${createSeconds.toFixed(1)} s`);
  const firstDue = Math.min(...createdAt.values()) + reminderMs;
  const idleMs = Math.max(2000, firstDue - Date.now() - 3000);
  const idle = await watchUsage(stack.workerGroup, idleMs);
  log(`sleeping: idle for ${(idleMs / 1000).toFixed(0)} s: worker RSS ${(idle.maxRssBytes / MiB).toFixed(0)} MiB, CPU ${idle.cpuCores} core`);
  const ids = [...createdAt.keys()];
  const lastDue = Math.max(...createdAt.values()) + reminderMs;
  const waking = watchUsage(stack.workerGroup, Math.max(1000, lastDue - Date.now()));
  const fired = await until(
    'every deposit reminder',
    async () => {
      const { rows } = await stack.db.query<{ milestone_id: string; at: Date }>(
        "SELECT milestone_id, min(created_at) AS at FROM notifications WHERE kind = 'deposit_reminder' AND milestone_id = ANY($1) GROUP BY milestone_id",
        [ids],
      );
      return rows.length === ids.length ? rows : undefined;
    },
    lastDue - Date.now() + 600_000,
    2000,
  );
  const wake = await waking;
  // from each workflow's start (its timer starts with its first task): the API answers once all ten have started
  const startedAt = new Map<string, number>();
  const since = new Date(started - 60_000).toISOString();
  for await (const w of stack.temporal.workflow.list({ query: `WorkflowType = 'milestoneWorkflow' AND StartTime > '${since}'` })) {
    startedAt.set(w.workflowId.replace(/^milestone:/, ''), w.startTime.getTime());
  }
  const lateness = fired.map((r) => r.at.getTime() - ((startedAt.get(r.milestone_id) ?? createdAt.get(r.milestone_id)!) + reminderMs));
  const lateSeconds = latency(lateness.map((ms) => ms / 1000));
  const cacheAfter = stickyCache(await scrape(stack.workerMetricsUrl));
  const cache = Object.fromEntries(Object.keys(cacheAfter).map((k) => [k, Math.round((cacheAfter[k] ?? 0) - (k.endsWith('size') ? 0 : (cacheBefore[k] ?? 0)))]));
  const windowSeconds = Math.round((lastDue - firstDue) / 1000);
  log(`sleeping: reminders late by p50 ${lateSeconds.p50} s / p99 ${lateSeconds.p99} s / max ${lateSeconds.max} s over a ${windowSeconds} s window`);
  return {
    id: 4,
    name: `${count.toLocaleString('en')} sleeping milestones`,
    figures: {
      milestones: createdAt.size,
      createSeconds: Math.round(createSeconds * 10) / 10,
      createdPerSecond: Math.round((createdAt.size / createSeconds) * 10) / 10,
      idle: { seconds: Math.round(idleMs / 1000), workerRssMiB: Math.round(idle.maxRssBytes / MiB), workerCpuCores: idle.cpuCores },
      waking: { windowSeconds, workerMaxRssMiB: Math.round(wake.maxRssBytes / MiB), workerCpuCores: wake.cpuCores },
      reminderLatenessSeconds: lateSeconds,
      stickyCache: cache,
    },
    headline: `${createdAt.size} created at ${(createdAt.size / createSeconds).toFixed(1)}/s; idle worker ${Math.round(idle.maxRssBytes / MiB)} MiB RSS, ${idle.cpuCores} core; reminders over ${windowSeconds} s late by p50 ${lateSeconds.p50} s / p99 ${lateSeconds.p99} s; waking worker ${wake.cpuCores} core`,
    goals: [
      { text: `idle worker RSS ≤ 1 GiB (${Math.round(idle.maxRssBytes / MiB)} MiB)`, met: idle.maxRssBytes <= RSS_GOAL_BYTES },
      { text: `reminder lateness measured (p99 ${lateSeconds.p99} s): limited by the worker's CPU while the reminders fire as fast as milestones were created`, met: null },
    ],
    notes: [`each reminder fires ${reminderMs / 1000} s after its project was created; lateness counts from the workflow's start to the notice's row`],
  };
}
