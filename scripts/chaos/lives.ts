/**
 * The milestones the harness drives: projects created by the platform, each milestone living its life (life.ts) with
 * a bounded number of milestones in flight at once.
 */
import type { ApiClient, Caller } from './client';
import { caller, statusLine } from './client';
import type { Findings } from './findings';
import { judge, Life, LifeStopped, ROUTES, WAIT_MS } from './life';
import { log } from '../topology/log';
import { drawMilestone, type MilestonePlan, type ProjectPlan } from './population';
import type { PaymentProviderSim, Tracked } from './provider';
import type { Rng } from './rng';

export interface World {
  api: ApiClient;
  provider: PaymentProviderSim;
  findings: Findings;
  /** this run's id: in every key, external id and event id */
  run: string;
  rng: Rng;
  mediator: Caller;
  platform: Caller;
}

export interface MilestoneRun {
  plan: MilestonePlan;
  project: string;
  projectId?: string;
  milestoneId?: string;
  client?: Caller;
  provider?: Caller;
  /** the milestone whose amendment added this one */
  addedBy?: string;
  startedAt?: number;
  endedAt?: number;
  /** the last state seen */
  seen?: string;
  /** why the life stopped before its end state */
  stopped?: string;
  steps: { at: number; step: string; answer: string }[];
  paymentRequestId?: string;
  disputeId?: string;
  providerAmount?: number;
}

/** A weighted semaphore: a project takes one unit per milestone it drives. */
class Slots {
  private free: number;
  private readonly queue: { n: number; go: () => void }[] = [];
  constructor(readonly size: number) {
    this.free = size;
  }
  async take(n: number): Promise<void> {
    const want = Math.min(n, this.size);
    if (this.free >= want && this.queue.length === 0) {
      this.free -= want;
      return;
    }
    await new Promise<void>((go) => this.queue.push({ n: want, go }));
  }
  give(n: number): void {
    this.free += Math.min(n, this.size);
    while (this.queue.length > 0 && this.free >= this.queue[0].n) {
      const next = this.queue.shift()!;
      this.free -= next.n;
      next.go();
    }
  }
}

export class Lives {
  readonly runs: MilestoneRun[] = [];
  private readonly byMilestoneId = new Map<string, MilestoneRun>();
  private readonly extra: Promise<void>[] = [];

  constructor(private readonly w: World) {}

  /** The provider simulator's view of a milestone. */
  tracked(milestoneId: string): Tracked | undefined {
    const r = this.byMilestoneId.get(milestoneId);
    if (!r?.projectId || !r.client || !r.provider) return undefined;
    return { label: r.plan.label, projectId: r.projectId, milestoneId, client: r.client, provider: r.provider };
  }

  async runAll(projects: ProjectPlan[], concurrency: number): Promise<void> {
    const slots = new Slots(concurrency);
    for (const p of projects) for (const m of p.milestones) this.runs.push({ plan: m, project: p.label, steps: [] });
    await Promise.all(
      projects.map(async (p) => {
        await slots.take(p.milestones.length);
        try {
          await this.runProject(p, slots);
        } catch (err) {
          log(`project ${p.label}: ${(err as Error).message}`);
        }
      }),
    );
    await Promise.all(this.extra);
  }

  private async runProject(p: ProjectPlan, slots: Slots): Promise<void> {
    const { w } = this;
    const [client, provider] = await Promise.all([caller(`c-${w.run}-${p.label.slice(1)}`, 'client'), caller(`p-${w.run}-${p.label.slice(1)}`, 'provider')]);
    const runs = this.runs.filter((r) => r.project === p.label);
    const body = {
      externalId: `chaos-${w.run}-${p.label}`,
      title: `Projet ${p.label} (chaos ${w.run})`,
      formula: 'r0',
      currency: 'EUR',
      client: { id: client.sub, email: `client.${p.label}.${w.run}@chaos.test`, name: `Client ${p.label}` },
      provider: { id: provider.sub, email: `prestataire.${p.label}.${w.run}@chaos.test`, name: `Prestataire ${p.label}` },
      milestones: p.milestones.map((m) => ({ title: m.title, amount: m.amount })),
    };
    const ex = await w.api.post(w.platform, ROUTES.create, '/v1/projects', { json: body }, `${w.run}:${p.label}:create`, { milestone: p.label, step: 'create project' });
    // each run's external ids are new: 200 ("already existed") would be the answer of a lost first attempt's retry
    const created = judge(w.findings, ex, [201], []) || ex.final?.status === 200;
    const view = ex.final?.body as { id?: string; milestones?: { id: string }[] } | undefined;
    if (!created || !view?.id || !view.milestones) {
      for (const r of runs) r.stopped = `project not created (${statusLine(ex)})`;
      slots.give(p.milestones.length);
      return;
    }
    await Promise.all(
      runs.map(async (r, i) => {
        r.projectId = view.id;
        r.milestoneId = view.milestones![i].id;
        r.client = client;
        r.provider = provider;
        this.byMilestoneId.set(r.milestoneId, r);
        try {
          await this.live(r);
        } finally {
          slots.give(1);
        }
      }),
    );
  }

  /** One milestone from creation to its end state; a life that cannot go on says why in `stopped`. */
  private async live(r: MilestoneRun): Promise<void> {
    const l = new Life(this.w, r, (added) => this.adopt(r, added));
    r.startedAt = Date.now();
    try {
      await l.lifeOfKind();
      await l.waitState([r.plan.expected], WAIT_MS, `its end state ${r.plan.expected}`);
    } catch (err) {
      if (!(err instanceof LifeStopped)) {
        r.stopped = `harness error: ${(err as Error).message}`;
        log(`${r.plan.label}: ${r.stopped}`);
      } else r.stopped = err.message;
    }
    r.endedAt = Date.now();
    log(`${r.plan.label} (${r.plan.kind}) ${r.stopped ? `stopped: ${r.stopped}` : `ended ${r.seen}`} after ${((r.endedAt - r.startedAt) / 1000).toFixed(1)} s`);
  }

  /** A milestone an amendment added: a happy life of its own. */
  private adopt(parent: MilestoneRun, milestoneId: string): void {
    const plan = drawMilestone(this.w.rng.fork(`added:${parent.plan.label}`), `${parent.plan.label}a`, 'happy');
    const r: MilestoneRun = { plan, project: parent.project, projectId: parent.projectId, milestoneId, client: parent.client, provider: parent.provider, addedBy: parent.plan.label, steps: [] };
    this.runs.push(r);
    this.byMilestoneId.set(milestoneId, r);
    this.extra.push(this.live(r));
  }
}
