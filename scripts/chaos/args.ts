/** The chaos harness's command line: `npm run chaos -- [--milestones N] [--seed S] [--plan default|storm] …`. */

export const PLANS = ['default', 'storm', 'processes', 'none'] as const;
export type Plan = (typeof PLANS)[number];

export interface ChaosOptions {
  milestones: number;
  seed: string;
  plan: Plan;
  /** milestones driven at the same time */
  concurrency: number;
  workers: number;
  apis: number;
  /** keep the run's directory (data, logs, summary) even when every invariant holds */
  keep: boolean;
  /** give up waiting for the end states after this long, once the lives are over */
  settleMs: number;
  /** the mail server waits this long before taking a message (widens the window of a resent mail) */
  smtpDelayMs: number;
  /** the Temporal dev server (SQLite), or the full server on PostgreSQL (the cluster's) */
  temporal: 'dev' | 'server';
}

export const USAGE = `usage: npm run chaos -- [--milestones N] [--seed S] [--plan default|storm|processes|none]
                      [--concurrency K] [--workers 1|2|3] [--apis 1|2|3] [--keep] [--settle SECONDS]
                      [--smtp-delay MS] [--temporal dev|server]
  --milestones N   milestones to drive (default 60)
  --seed S         seed of the plan and of the fault schedule (default 1)
  --plan P         default: a handful of each fault; storm: many, overlapping; processes: workers and APIs
                   killed, one at a time; none: no fault, a baseline (default default)
  --concurrency K  milestones in flight at once (default 12)
  --workers W      worker processes (default 2)
  --apis A         API processes behind the client's round robin (default 2)
  --keep           keep the run directory (PostgreSQL data, Temporal's file, logs) even when all is well
  --settle S       seconds to wait for every end state once the lives are over (default 300)
  --smtp-delay MS  the mail server takes each message MS after its DATA (default 0): a worker killed meanwhile
                   leaves a mail the SMTP server has and the outbox does not know it sent
  --temporal T     dev: the Temporal dev server on SQLite (default); server: the full Temporal server on
                   PostgreSQL, as \`npm run cluster\` runs it
Exit 0: every invariant held; 1: an invariant failed (the summary names it); 2: bad arguments or the system did not start.`;

export class UsageError extends Error {}

function integer(name: string, text: string | undefined, min: number, max: number): number {
  const n = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`${name} takes an integer from ${min} to ${max}, not ${text ?? 'nothing'}`);
  return n;
}

export function parseArgs(argv: string[]): ChaosOptions {
  const o: ChaosOptions = { milestones: 60, seed: '1', plan: 'default', concurrency: 12, workers: 2, apis: 2, keep: false, settleMs: 300_000, smtpDelayMs: 0, temporal: 'dev' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--milestones':
        o.milestones = integer(flag, value(), 1, 1000);
        break;
      case '--seed': {
        const seed = value();
        if (!seed) throw new UsageError('--seed takes a value');
        o.seed = seed;
        break;
      }
      case '--plan': {
        const plan = value();
        if (!(PLANS as readonly string[]).includes(plan ?? '')) throw new UsageError(`--plan is one of ${PLANS.join(', ')}, not ${plan ?? 'nothing'}`);
        o.plan = plan as Plan;
        break;
      }
      case '--concurrency':
        o.concurrency = integer(flag, value(), 1, 200);
        break;
      case '--workers':
        o.workers = integer(flag, value(), 1, 3);
        break;
      case '--apis':
        o.apis = integer(flag, value(), 1, 3);
        break;
      case '--settle':
        o.settleMs = integer(flag, value(), 10, 3600) * 1000;
        break;
      case '--smtp-delay':
        o.smtpDelayMs = integer(flag, value(), 0, 30_000);
        break;
      case '--temporal': {
        const temporal = value();
        if (temporal !== 'dev' && temporal !== 'server') throw new UsageError(`--temporal is dev or server, not ${temporal ?? 'nothing'}`);
        o.temporal = temporal;
        break;
      }
      case '--keep':
        o.keep = true;
        break;
      case '--help':
      case '-h':
        throw new UsageError(USAGE);
      default:
        throw new UsageError(`unknown argument ${argv[i]}\n${USAGE}`);
    }
  }
  return o;
}
