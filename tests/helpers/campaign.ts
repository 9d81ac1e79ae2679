/**
 * Milestone lives driven over HTTP on a running system, as the chaos harness drives them (scripts/chaos): a retrying
 * client through the APIs, the payment provider simulated, then the harness's own invariants. The cluster suite
 * runs its faults (a worker killed, an API killed, a rolling upgrade) while a campaign goes on.
 */
import { answers, endStates, ledgerRules, money, orders, type Check } from '../../scripts/chaos/checks';
import { ApiClient, caller } from '../../scripts/chaos/client';
import { Findings } from '../../scripts/chaos/findings';
import { Lives } from '../../scripts/chaos/lives';
import { drawPopulation } from '../../scripts/chaos/population';
import { PaymentProviderSim } from '../../scripts/chaos/provider';
import { Rng } from '../../scripts/chaos/rng';
import { settle } from '../../scripts/chaos/settle';
import type { System } from '../../scripts/topology/system';
import { createPool, type Db } from '../../db/pool';

export class Campaign {
  readonly db: Db;
  readonly api: ApiClient;
  readonly findings = new Findings();
  private readonly holder: { lives?: Lives } = {};
  readonly provider: PaymentProviderSim;
  lives!: Lives;
  private readonly startedAt = new Date();

  constructor(
    private readonly system: System,
    readonly run: string,
    bases = system.apiUrls,
  ) {
    this.db = createPool(system.databaseUrl, 3);
    this.api = new ApiClient({ bases, deadlineMs: 180_000, attemptTimeoutMs: 20_000 });
    this.provider = new PaymentProviderSim(this.api, system.inbox, run, (id) => this.holder.lives?.tracked(id), this.findings);
  }

  /** Drives `milestones` lives drawn from `seed`, `concurrency` at once, until each is over. */
  async drive(seed: string, milestones: number, concurrency: number): Promise<void> {
    const rng = new Rng(`cluster:${seed}`);
    const population = drawPopulation(rng.fork('population'), milestones);
    this.lives = new Lives({
      api: this.api,
      provider: this.provider,
      findings: this.findings,
      run: this.run,
      rng: rng.fork('lives'),
      mediator: await caller(`med-${this.run}`, 'mediator'),
      platform: await caller(`platform-${this.run}`, 'platform'),
    });
    this.holder.lives = this.lives;
    this.provider.start();
    await this.lives.runAll(population, concurrency);
  }

  /** Waits for every end state, then checks answers, end states, the ledger, money, and orders sent once. */
  async check(settleMs = 120_000): Promise<{ settled: boolean; checks: Record<string, Check> }> {
    const settled = await settle(this.db, this.system.temporalAddress, this.lives.runs, this.provider, settleMs, this.startedAt);
    const checks: Record<string, Check> = {
      answers: await answers(this.db, this.api, this.lives.runs, this.findings),
      endStates: await endStates(this.db, this.lives.runs),
      ledger: await ledgerRules(this.db),
      money: await money(this.db, this.lives.runs, this.provider.deposits, this.provider.confirmations),
      orders: await orders(this.db, this.lives.runs, this.system.inbox),
    };
    return { settled, checks };
  }

  /** The longest a request took, all its attempts and waits included: what a fault cost a user at most. */
  slowestRequestMs(): number {
    return Math.max(0, ...this.api.exchanges.map((e) => (e.endedAt ?? Date.now()) - e.startedAt));
  }

  async close(): Promise<void> {
    await this.provider.stop();
    await this.db.end();
  }
}

/** The failures of the checks that failed, one line each: `[]` when every invariant held. */
export const failuresOf = (checks: Record<string, Check>): string[] =>
  Object.entries(checks).flatMap(([name, c]) => c.failures.map((f) => `${name}: ${f}`));
