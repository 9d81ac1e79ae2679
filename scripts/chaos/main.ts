/**
 * `npm run chaos -- [--milestones N] [--seed S] [--plan default|storm]`: starts the whole system as separate processes,
 * drives N milestones through their lives over HTTP while killing and restarting workers, APIs, PostgreSQL and
 * Temporal on a schedule drawn from the seed, waits for every milestone's end state, checks the invariants and prints
 * a JSON summary on stdout (progress on stderr). Exit 0 when every invariant held, 1 when one failed, 2 when the
 * harness could not run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPool } from '../../db/pool';
import { oneLine } from '../fail';
import { parseArgs, UsageError, type ChaosOptions } from './args';
import { answers, endStates, ledgerRules, mails, money, orders, processes, summaries, workflows, type Check } from './checks';
import { ApiClient, caller } from './client';
import { faultSchedule, FaultInjector, FAULT_KINDS } from './faults';
import { Findings } from './findings';
import { Lives } from './lives';
import { elapsed, log, logTo, sleep } from '../topology/log';
import { drawPopulation, LIVES } from './population';
import { ReadinessWatch } from './probes';
import { PaymentProviderSim } from './provider';
import { Rng } from './rng';
import { settle } from './settle';
import { System } from '../topology/system';

let system: System | undefined;
let stopped: Promise<void> | undefined;
let interrupted = false;

function runIdOf(seed: string): string {
  return `s${seed.replace(/[^A-Za-z0-9]/g, '').slice(0, 12)}x${Date.now().toString(36)}`;
}

async function drive(o: ChaosOptions, dir: string): Promise<number> {
  const t0 = Date.now();
  const rng = new Rng(`chaos:${o.seed}`);
  const run = runIdOf(o.seed);
  const population = drawPopulation(rng.fork('population'), o.milestones);
  const schedule = faultSchedule(o.plan, rng.fork('faults'), o);
  log(`run ${run}: ${o.milestones} milestone(s) in ${population.length} project(s), seed ${o.seed}, plan ${o.plan}, ${o.workers} worker(s), ${o.apis} API(s); in ${dir}`);
  for (const f of schedule) log(`  scheduled +${(f.at / 1000).toFixed(1)}s ${f.kind} #${f.target + 1}${f.kind === 'postgres-restart' ? ` ${f.mode}` : ''} down ${(f.downMs / 1000).toFixed(1)} s`);

  system = await System.start({ dir, workers: o.workers, apis: o.apis, smtpDelayMs: o.smtpDelayMs, temporal: o.temporal });
  const tStarted = Date.now();
  log(`system up in ${((tStarted - t0) / 1000).toFixed(1)} s: APIs ${system.apiUrls.join(' ')}, Temporal ${system.temporalAddress}, ${system.databaseUrl}`);
  const db = createPool(system.databaseUrl, 4);
  const api = new ApiClient({ bases: system.apiUrls, deadlineMs: 180_000, attemptTimeoutMs: 20_000 });
  const findings = new Findings();
  const holder: { lives?: Lives } = {};
  const provider = new PaymentProviderSim(api, system.inbox, run, (id) => holder.lives?.tracked(id), findings);
  const lives = new Lives({ api, provider, findings, run, rng: rng.fork('lives'), mediator: await caller(`med-${run}`, 'mediator'), platform: await caller(`platform-${run}`, 'platform') });
  holder.lives = lives;
  provider.start();
  const injector = new FaultInjector(system, api, schedule);
  const readiness = new ReadinessWatch(system);
  injector.start();
  readiness.start();
  await lives.runAll(population, o.concurrency);
  const tLives = Date.now();
  log(`lives over after ${((tLives - tStarted) / 1000).toFixed(1)} s; no more faults`);
  await injector.stop();
  await readiness.stop();
  await system.ensureAllUp();
  const settled = await settle(db, system.temporalAddress, lives.runs, provider, o.settleMs);
  const tSettled = Date.now();
  log(settled ? 'settled' : `not settled after ${o.settleMs / 1000} s: checking what is there`);
  await sleep(1000);
  const quietSince = Date.now();

  const checks: Record<string, Check> = {};
  const runCheck = async (name: string, fn: () => Promise<Check>) => {
    try {
      checks[name] = await fn();
    } catch (err) {
      checks[name] = { ok: false, failures: [`the check could not run: ${oneLine(err)}`] };
    }
    log(`check ${name}: ${checks[name].ok ? 'ok' : `${checks[name].failures.length} failure(s)`}`);
  };
  // Answers first: a same-key retry that wrongly has an effect then shows in the checks that follow.
  await runCheck('answers', () => answers(db, api, lives.runs, findings));
  await runCheck('endStates', () => endStates(db, lives.runs));
  await runCheck('ledgerCheck', () => ledgerRules(db));
  await runCheck('money', () => money(db, lives.runs, provider.deposits, provider.confirmations));
  await runCheck('ordersAndRefunds', () => orders(db, lives.runs, system!.inbox));
  await runCheck('paymentSummaries', () => summaries(api, lives.runs, provider.confirmations));
  await runCheck('workflows', () => workflows(system!.temporalAddress));
  await runCheck('processes', () => Promise.resolve(processes(system!.events)));
  await runCheck('readiness', () => Promise.resolve(readiness.check()));
  await sleep(2000);
  await runCheck('mails', () => mails(db, lives.runs, [...system!.mail.messages], quietSince));
  const tChecked = Date.now();
  await provider.stop();

  const failures = Object.entries(checks).flatMap(([name, c]) => c.failures.map((f) => `${name}: ${f}`));
  const injected = Object.fromEntries(FAULT_KINDS.map((k) => [k, injector.records.filter((f) => f.kind === k && f.killedAt !== undefined).length]));
  const byKind = Object.fromEntries(Object.keys(LIVES).map((k) => [k, lives.runs.filter((r) => r.plan.kind === k).length]));
  const summary = {
    ok: failures.length === 0,
    seed: o.seed,
    plan: o.plan,
    run,
    topology: { workers: o.workers, apis: o.apis, concurrency: o.concurrency, temporal: o.temporal === 'server' ? 'full server on PostgreSQL' : 'dev server (SQLite)', paymentProvider: 'webhook (orders inbox in the harness)' },
    milestones: {
      planned: o.milestones,
      driven: lives.runs.length,
      addedByAmendments: lives.runs.filter((r) => r.addedBy).length,
      byKind,
      atEndState: checks.endStates.atEndState,
      notAtEndState: checks.endStates.notAtEndState,
    },
    faults: {
      scheduled: schedule.length,
      injected,
      skipped: injector.records.filter((f) => f.skipped).length,
      exitedByThemselves: Object.fromEntries(system.all.map((p) => [p.name, p.stats.selfExits])),
      log: injector.records.map((f) => ({
        at: f.killedAt ?? null, kind: f.kind, process: f.process, mode: f.mode, downMs: f.downMs, upAgainAt: f.upAgainAt ?? null,
        ...(f.inFlight !== undefined ? { inFlight: f.inFlight } : {}), ...(f.whileStarting ? { whileStarting: true } : {}), ...(f.skipped ? { skipped: f.skipped } : {}), ...(f.error ? { error: f.error } : {}),
      })),
      processEvents: system.events.filter((e) => e.what === 'exited-by-itself' || e.what === 'not-ready').map((e) => ({ at: elapsed(e.at), process: e.proc, what: e.what, detail: e.detail })),
    },
    answers: { ...checks.answers, failures: undefined, webhookOutcomesAfterLostAnswers: provider.lateOutcomes },
    duplicates: {
      orders: { ...checks.ordersAndRefunds, failures: undefined },
      sameMessageIdDeliveredTwice: checks.mails.sameMessageIdDeliveredTwice,
      twoDifferentMessagesForOneKey: checks.mails.twoDifferentMessagesForOneKey,
    },
    ledgerCheck: { ...checks.ledgerCheck, failures: undefined },
    money: { ...checks.money, failures: undefined },
    workflows: { ...checks.workflows, failures: undefined },
    mails: { ...checks.mails, failures: undefined },
    readiness: { ...checks.readiness, failures: undefined },
    checks: Object.fromEntries(Object.entries(checks).map(([name, c]) => [name, c.ok ? 'ok' : `${c.failures.length} failure(s)`])),
    durations: {
      startupS: (tStarted - t0) / 1000,
      livesS: (tLives - tStarted) / 1000,
      settleS: (tSettled - tLives) / 1000,
      settled,
      checksS: (tChecked - tSettled) / 1000,
      totalS: (Date.now() - t0) / 1000,
    },
    failures: failures.slice(0, 300),
    failureCount: failures.length,
    runDir: dir,
  };
  writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2));
  writeFileSync(path.join(dir, 'exchanges.json'), JSON.stringify(api.exchanges.map(({ caller: _c, request: _r, ...ex }) => ex), null, 1));
  writeFileSync(path.join(dir, 'orders.json'), JSON.stringify({ orders: system.inbox.orders, deliveries: system.inbox.deliveries, confirmations: provider.confirmations }, null, 1));
  writeFileSync(path.join(dir, 'lives.json'), JSON.stringify(lives.runs.map(({ client: _c, provider: _p, ...r }) => r), null, 1));
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  await db.end();
  return summary.ok ? 0 : 1;
}

/** Stops every child, once, however many ask (the end of the run, Ctrl-C, a failure). */
function shutdown(): Promise<void> {
  stopped ??= (async () => {
    if (!system) return;
    log('stopping every child process');
    await system.stop().catch((err: unknown) => log(`stopping: ${oneLine(err)}`));
    log('every child process stopped');
  })();
  return stopped;
}

async function main(): Promise<void> {
  let o: ChaosOptions;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(err.message);
    process.exit(2);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'escrow-chaos-'));
  logTo(path.join(dir, 'chaos.log'));
  // whatever happens, no child outlives the harness
  process.on('exit', () => system?.killNow());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      log(`${signal}: stopping (run directory kept: ${dir})`);
      void shutdown().finally(() => process.exit(130));
    });
  }
  let code: number;
  try {
    code = await drive(o, dir);
  } catch (err) {
    log(`the harness could not run: ${oneLine(err)}`);
    code = 2;
  }
  await shutdown();
  if (interrupted) return; // the signal's handler exits
  if (code === 0 && !o.keep) rmSync(dir, { recursive: true, force: true });
  else log(`run directory kept: ${dir} (logs/, chaos.log, summary.json, exchanges.json, lives.json)`);
  process.exit(code);
}

void main();
