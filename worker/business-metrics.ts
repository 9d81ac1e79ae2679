import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { businessFigures } from '../db/business-metrics';
import { checkLedger, LEDGER_RULES } from '../db/ledger-check';
import type { Db } from '../db/pool';
import type { Logger } from '../lib/logger';

/** The periodic check runs on a live system: movements and their documents of the last two minutes may still be on their way. */
const LIVE_SETTLE_SECONDS = 120;

/**
 * The platform's money and queues as Prometheus gauges, read from PostgreSQL at each scrape (they are the same from
 * every worker: aggregate them with max, not sum), and the ledger check run every LEDGER_CHECK_INTERVAL.
 */
export class BusinessMetrics {
  readonly registry = new Registry();
  private readonly gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers: [this.registry] });
  private readonly escrow = this.gauge('escrow_money_in_escrow_minor', 'money held in escrow, in minor units (cents), by currency', ['currency']);
  private readonly milestones = this.gauge('escrow_milestones', 'milestones by state', ['state']);
  private readonly disputes = this.gauge('escrow_disputes', 'disputes by state (escalated: awaiting the SMA)', ['state']);
  private readonly awaitingSma = this.gauge('escrow_disputes_awaiting_sma', 'disputes escalated to the SMA and not decided yet');
  private readonly oldestEscalation = this.gauge(
    'escrow_dispute_escalation_oldest_age_seconds',
    'seconds since the longest-waiting escalated dispute reached the SMA (0: none waits)',
  );
  private readonly payouts = this.gauge('escrow_payouts', 'payout orders to providers by state (one per attempt: paid and failed only grow)', ['state']);
  private readonly refunds = this.gauge('escrow_refunds', 'refund orders to clients by state (paid and failed only grow)', ['state']);
  private readonly violations = this.gauge('escrow_ledger_check_violations', "rows breaking each ledger rule at the last check (npm run ledger:check's rules)", ['rule']);
  private readonly lastCheck = this.gauge('escrow_ledger_check_last_run_timestamp_seconds', 'when the last ledger check completed (Unix seconds)');
  private readonly checkFailures = new Counter({
    name: 'escrow_ledger_check_failures_total',
    help: 'ledger checks that found at least one violation',
    registers: [this.registry],
  });
  private readonly checkErrors = new Counter({
    name: 'escrow_ledger_check_errors_total',
    help: 'ledger checks that could not run to the end (PostgreSQL unreachable, a query failed)',
    registers: [this.registry],
  });
  private readonly figuresUp = this.gauge('escrow_business_figures_up', '1 when the figures above were read from PostgreSQL for this scrape, 0 when they could not be');
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {
    collectDefaultMetrics({ register: this.registry });
    for (const rule of LEDGER_RULES) this.violations.set({ rule }, 0);
  }

  /** The gauges, read afresh; when PostgreSQL does not answer, the last figures stay and escrow_business_figures_up says 0. */
  async refresh(): Promise<void> {
    const f = await businessFigures(this.db).catch((err: unknown) => {
      this.log.warn({ err }, 'business metrics: the figures could not be read');
      return undefined;
    });
    this.figuresUp.set(f ? 1 : 0);
    if (!f) return;
    const setAll = <L extends string>(gauge: Gauge<L>, label: L, rows: { count: number; [k: string]: unknown }[]) => {
      gauge.reset();
      for (const row of rows) gauge.set({ [label]: String(row[label]) } as Record<L, string>, row.count);
    };
    this.escrow.reset();
    for (const { currency, amount } of f.escrow) this.escrow.set({ currency }, amount);
    setAll(this.milestones, 'state', f.milestones);
    setAll(this.disputes, 'state', f.disputes);
    this.awaitingSma.set(f.disputes.find((d) => d.state === 'escalated')?.count ?? 0);
    this.oldestEscalation.set(f.oldestEscalationSeconds);
    setAll(this.payouts, 'state', f.payouts);
    setAll(this.refunds, 'state', f.refunds);
  }

  /** Runs the ledger check now and every `intervalMs` after (never two at once). */
  watchLedger(intervalMs: number): void {
    const run = async () => {
      try {
        const found = await checkLedger(this.db, { settleSeconds: LIVE_SETTLE_SECONDS });
        for (const rule of LEDGER_RULES) this.violations.set({ rule }, found.filter((v) => v.rule === rule).length);
        if (found.length > 0) {
          this.checkFailures.inc();
          this.log.error({ violations: found.length, first: found[0] }, 'the ledger check found violations');
        }
        this.lastCheck.set(Date.now() / 1000);
      } catch (err) {
        this.checkErrors.inc();
        this.log.warn({ err }, 'the ledger check could not run');
      }
      if (this.stopped) return;
      this.timer = setTimeout(() => void run(), intervalMs);
      this.timer.unref();
    };
    void run();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
