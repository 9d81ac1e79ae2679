/**
 * Scenario 5: balanced movements per second posted straight through the db layer (db/ledger.ts), by 1 and 8
 * writers, all on one milestone's fee accounts (hot) or each on its own milestone (spread); the baseline is the same
 * writers doing one plain single-row INSERT per movement. On a database of its own, so that the application's
 * ledger check never sees these movements.
 */
import { randomUUID } from 'node:crypto';
import { postMovement } from '../../db/ledger';
import { migrate } from '../../db/migrate';
import { createPool, type Db } from '../../db/pool';
import { insertProjectOnce } from '../../db/projects';
import { log, type Context, type ScenarioResult } from '../scenario';
import { ratio } from '../stats';
import { uniq } from '../lives';

const SPREAD = 200;
const GOAL_PER_SECOND = 2000;

async function ledgerDatabase(url: string): Promise<{ db: Db; url: string }> {
  const admin = createPool(url, 1);
  const name = `bench_ledger_${Date.now()}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const own = new URL(url);
  own.pathname = `/${name}`;
  const db = createPool(own.toString(), 10);
  await migrate(db);
  return { db, url: own.toString() };
}

/** How many times `op` completes per second with `writers` running it in a loop for `seconds`. */
async function rate(writers: number, seconds: number, op: (writer: number, n: number) => Promise<unknown>): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let n = 0; performance.now() < deadline; n++) {
        await op(w, n);
        done += 1;
      }
    }),
  );
  return Math.round(done / ((performance.now() - started) / 1000));
}

export async function ledgerThroughput(ctx: Context): Promise<ScenarioResult> {
  const { db } = await ledgerDatabase(ctx.stack.system.databaseUrl);
  try {
    const { project } = await insertProjectOnce(db, {
      id: uniq('prj'),
      externalId: uniq('ext'),
      title: 'Grand livre',
      formula: 'r0',
      currency: 'EUR',
      client: { id: 'c-bench', email: 'client@bench.test', name: 'Cliente' },
      provider: { id: 'p-bench', email: 'provider@bench.test', name: 'Prestataire' },
      createdBy: 'bench',
      clientSilencePolicy: 'notify_provider',
      fees: { commissionPpm: 100000, escrowFeePpm: 30000 },
      milestones: Array.from({ length: SPREAD }, (_, i) => ({ id: uniq('ms'), title: `Échéance ${i + 1}`, amount: 100_000 })),
    });
    const milestones = project.milestones.map((m) => m.id);
    await db.query('CREATE TABLE plain_inserts (id bigserial PRIMARY KEY, milestone_id text NOT NULL, amount bigint NOT NULL)');
    const seconds = ctx.quick ? 1 : 10;
    const run = `${Date.now()}`;
    const post = (milestoneId: string, key: string) =>
      postMovement(db, { idempotencyKey: key, projectId: project.id, milestoneId, currency: 'EUR', movement: { type: 'release', amount: 1000, commission: 100, escrowFee: 30 } });
    const figures: Record<string, number> = {};
    const baseline: Record<string, number> = {};
    for (const writers of [1, 8]) {
      for (const spread of [false, true]) {
        const label = `${writers} writer${writers > 1 ? 's' : ''}, ${spread ? 'spread' : 'hot'}`;
        const milestoneOf = (w: number, n: number) => (spread ? milestones[(w * 7919 + n) % SPREAD] : milestones[0]);
        figures[label] = await rate(writers, seconds, (w, n) => post(milestoneOf(w, n), `${run}:${label}:${w}:${n}:${randomUUID()}`));
        baseline[label] = await rate(writers, seconds, (w, n) => db.query('INSERT INTO plain_inserts (milestone_id, amount) VALUES ($1, $2)', [milestoneOf(w, n), 1000]));
        log(`ledger: ${label}: ${figures[label]} movements/s, ${baseline[label]} plain inserts/s`);
      }
    }
    const eight = Math.min(figures['8 writers, hot'], figures['8 writers, spread']);
    return {
      id: 5,
      name: 'Ledger movements',
      figures: { movementsPerSecond: figures, linesPerMovement: 5 },
      baseline: { plainInsertsPerSecond: baseline },
      ratio: ratio(figures['8 writers, hot'], baseline['8 writers, hot']),
      headline: Object.keys(figures).map((k) => `${k}: ${figures[k]}/s (plain ${baseline[k]}/s)`).join('; '),
      goals: [{ text: `≥ ${GOAL_PER_SECOND} movements/s with 8 writers (${eight})`, met: eight >= GOAL_PER_SECOND }],
      notes: [`a movement is a release: one entry, 5 lines, the balance trigger and the idempotency key, in one transaction; ${seconds} s per measure`],
    };
  } finally {
    await db.end();
  }
}
