/**
 * One milestone's life, step by step, over HTTP only, as the frontend, the mediation staff and the payment provider
 * would drive it. Every action is sent once (one Idempotency-Key) when the life's model says it is allowed; an answer
 * other than the expected one is a finding, and the life carries on only if the state shows the action took effect.
 */
import type { Caller, Exchange, RequestBody } from './client';
import { statusLine } from './client';
import type { Findings } from './findings';
import type { World, MilestoneRun } from './lives';
import { sleep } from '../topology/log';
import type { MilestonePlan } from './population';
import type { Tracked } from './provider';

interface Status {
  state: string;
  amount: number;
  inEscrow: number;
  released: number;
  deposited: number;
  dueNow: number;
  disputeId?: string;
  cancelRequestedBy?: string[];
  paymentRequest?: { id: string; payoutId?: string; failed?: unknown };
}

/** Thrown when the life cannot go on; its message says why. */
export class LifeStopped extends Error {}

const PDF = (label: string) => Buffer.from(`%PDF-1.4\n% facture du jalon ${label}\n%%EOF\n`);
export const ROUTES = {
  create: 'POST /v1/projects',
  complete: 'POST /v1/projects/:projectId/milestones/:milestoneId/complete',
  release: 'POST /v1/projects/:projectId/milestones/:milestoneId/release',
  cancel: 'POST /v1/projects/:projectId/milestones/:milestoneId/cancel',
  invoice: 'POST /v1/projects/:projectId/milestones/:milestoneId/payment-requests',
  dispute: 'POST /v1/projects/:projectId/milestones/:milestoneId/disputes',
  respond: 'POST /v1/disputes/:disputeId/responses',
  propose: 'POST /v1/disputes/:disputeId/proposals',
  acceptProposal: 'POST /v1/disputes/:disputeId/proposals/:proposalId/accept',
  informationRequest: 'POST /v1/disputes/:disputeId/information-requests',
  decision: 'POST /v1/disputes/:disputeId/decision',
  amend: 'POST /v1/projects/:projectId/amendments',
  acceptAmendment: 'POST /v1/projects/:projectId/amendments/:amendmentId/accept',
  retryPayout: 'POST /v1/payment-requests/:paymentRequestId/retry',
} as const;

/** Waits are long: a life may sit through a PostgreSQL or Temporal outage and a worker's restart. */
export const WAIT_MS = 180_000;
/** After a wrong answer, how long the state gets to show that the action took effect anyway. */
const EFFECT_WAIT_MS = 30_000;
/** A party's pause before each action, in ms. */
const THINK_MS = [500, 3000] as const;

/**
 * Whether an answer is the one expected. `tolerated` statuses are not findings (a refusal the timing makes legitimate);
 * anything else is, and so is no answer at all.
 */
export function judge(findings: Findings, ex: Exchange, ok: number[], tolerated: number[] = []): boolean {
  if (!ex.final) {
    findings.add({ kind: 'unanswered', milestone: ex.milestone, step: ex.step, route: ex.route, key: ex.key, answer: statusLine(ex), detail: `no final answer within the deadline after ${ex.attempts.length} attempts` });
    return false;
  }
  if (ok.includes(ex.final.status)) return true;
  if (!tolerated.includes(ex.final.status)) {
    const detail = (ex.final.body as { detail?: string } | undefined)?.detail ?? ex.final.text.slice(0, 200);
    findings.add({ kind: 'wrong-answer', milestone: ex.milestone, step: ex.step, route: ex.route, key: ex.key, answer: statusLine(ex), detail: `expected ${ok.join('/')}: ${detail}` });
  }
  return false;
}

export class Life {
  /** requests of this life that got no final answer before their deadline */
  private unanswered = 0;

  constructor(
    private readonly w: World,
    private readonly r: MilestoneRun,
    private readonly adopt: (milestoneId: string) => void,
  ) {}

  private get plan(): MilestonePlan {
    return this.r.plan;
  }

  private get base(): string {
    return `/v1/projects/${this.r.projectId}/milestones/${this.r.milestoneId}`;
  }

  private get track(): Tracked {
    const { r } = this;
    return { label: r.plan.label, projectId: r.projectId!, milestoneId: r.milestoneId!, client: r.client!, provider: r.provider! };
  }

  private stop(why: string): never {
    throw new LifeStopped(why);
  }

  /** Sends an action once (retried under its key); true when answered as expected. */
  private async act(step: string, who: Caller, route: string, path: string, body: RequestBody, ok: number[], tolerated: number[] = []): Promise<{ ok: boolean; ex: Exchange }> {
    // a person takes a moment between two actions: lives overlap longer, and more of them meet each fault
    await sleep(THINK_MS[0] + Math.floor(Math.random() * (THINK_MS[1] - THINK_MS[0])));
    const key = `${this.w.run}:${this.plan.label}:${step}`.replace(/[^!#-~]+/g, '_');
    // once a request of this life went unanswered, the next ones get a minute: one stuck milestone must not hold the run
    const deadlineMs = this.unanswered > 0 ? 60_000 : undefined;
    const ex = await this.w.api.post(who, route, path, body, key, { milestone: this.plan.label, step, deadlineMs });
    if (!ex.final) this.unanswered += 1;
    this.r.steps.push({ at: Date.now(), step, answer: statusLine(ex) });
    return { ok: judge(this.w.findings, ex, ok, tolerated), ex };
  }

  /** The live status (a workflow query; the read model once the milestone has ended). */
  private async status(): Promise<Status> {
    const { status, body } = await this.w.api.get<Status>(this.r.client!, this.base, WAIT_MS);
    if (status !== 200) this.stop(`GET milestone answered ${status}`);
    this.r.seen = body.state;
    return body;
  }

  private async until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await probe().catch(() => undefined);
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        this.w.findings.add({ kind: 'life-stuck', milestone: this.plan.label, detail: `waited ${Math.round(timeoutMs / 1000)} s for ${what}; last state seen ${this.r.seen ?? '?'}` });
        this.stop(`stuck waiting for ${what} (last seen ${this.r.seen ?? '?'})`);
      }
      await sleep(1000 + Math.floor(Math.random() * 500));
    }
  }

  /** Until the read model (no worker needed) shows one of `states`. */
  async waitState(states: string[], timeoutMs: number, what: string): Promise<string> {
    return this.until(what, timeoutMs, async () => {
      const { body } = await this.w.api.get<{ milestones?: { id: string; state: string }[] }>(this.r.client!, `/v1/projects/${this.r.projectId}`, 30_000);
      const state = body.milestones?.find((m) => m.id === this.r.milestoneId)?.state;
      if (state) this.r.seen = state;
      return state && states.includes(state) ? state : undefined;
    });
  }

  private waitStatus(what: string, test: (s: Status) => boolean, timeoutMs = WAIT_MS): Promise<Status> {
    return this.until(what, timeoutMs, async () => {
      const s = await this.status();
      return test(s) ? s : undefined;
    });
  }

  /** The wait after an action: long when it was answered as expected, short when the answer says it did not happen. */
  private after(ok: boolean, states: string[], what: string): Promise<string> {
    return this.waitState(states, ok ? WAIT_MS : EFFECT_WAIT_MS, what);
  }

  async lifeOfKind(): Promise<void> {
    switch (this.plan.kind) {
      case 'happy':
        await this.fund();
        await this.complete();
        await this.release();
        await this.invoice();
        return;
      case 'direct_release':
        await this.fund();
        await this.release();
        await this.invoice();
        return;
      case 'slow_client':
        await this.fund();
        await this.complete();
        await this.until('the client-silence notice', WAIT_MS, async () => {
          const { body } = await this.w.api.get<{ events?: { type: string }[] }>(this.r.client!, `${this.base}/timeline`, 30_000);
          return body.events?.some((e) => e.type === 'client_silent') ? true : undefined;
        });
        await this.release();
        await this.invoice();
        return;
      case 'excess_deposit':
        await this.fund(Math.round(this.plan.amount * 0.05));
        await this.complete();
        await this.release();
        await this.invoice();
        return;
      case 'payout_retry':
        this.w.provider.failFirstPayoutOf(this.r.milestoneId!);
        await this.fund();
        await this.complete();
        await this.release();
        await this.invoice();
        await this.retryFailedPayout();
        return;
      case 'dispute_decision':
        return this.disputeDecided();
      case 'dispute_settlement':
        return this.disputeSettled();
      case 'amend_decrease':
        return this.amended();
      case 'mutual_cancel': {
        await this.fund();
        const first = await this.act('cancel (client)', this.r.client!, ROUTES.cancel, `${this.base}/cancel`, undefined, [202]);
        if (!first.ok) await this.waitStatus('the client cancel request', (s) => s.state === 'refunded' || s.cancelRequestedBy?.includes('client') === true, EFFECT_WAIT_MS);
        const second = await this.act('cancel (provider)', this.r.provider!, ROUTES.cancel, `${this.base}/cancel`, undefined, [200]);
        if (second.ok && (second.ex.final?.body as { outcome?: string }).outcome !== 'refunded') {
          this.w.findings.add({ kind: 'wrong-answer', milestone: this.plan.label, step: 'cancel (provider)', route: ROUTES.cancel, key: second.ex.key, answer: statusLine(second.ex), detail: 'the second cancel did not refund' });
        }
        return;
      }
      case 'cancel_unfunded': {
        if (this.plan.partialFirst) {
          const s = await this.status();
          await this.w.provider.deposit(this.track, Math.max(1, Math.floor(s.dueNow * 0.4)), 1, this.plan.redelivery);
          await this.waitStatus('the first part in escrow', (st) => st.deposited > 0);
        }
        const who = this.plan.canceller === 'client' ? this.r.client! : this.r.provider!;
        const { ok } = await this.act(`cancel (${this.plan.canceller})`, who, ROUTES.cancel, `${this.base}/cancel`, undefined, [200]);
        await this.after(ok, ['cancelled'], 'the cancellation');
        return;
      }
    }
  }

  /** What is due, in the plan's parts (one event each, the first maybe delivered twice), `excess` on top of the last. */
  private async fund(excess = 0): Promise<void> {
    const s = await this.waitStatus('the milestone to wait for its deposit', (st) => st.state === 'awaiting_deposit' && st.dueNow > 0);
    const due = s.dueNow;
    const parts = this.plan.depositParts.map((f) => Math.floor(due * f)).filter((a) => a > 0);
    parts[parts.length - 1] += due - parts.reduce((sum, a) => sum + a, 0) + excess;
    for (const [i, amount] of parts.entries()) {
      await sleep(100 + Math.floor(Math.random() * 1100));
      if (!(await this.w.provider.deposit(this.track, amount, i + 1, i === 0 ? this.plan.redelivery : 'none'))) this.stop(`deposit ${i + 1} never acknowledged`);
    }
    await this.waitState(['funded'], WAIT_MS, 'funded');
  }

  private async complete(): Promise<void> {
    const { ok } = await this.act('complete', this.r.provider!, ROUTES.complete, `${this.base}/complete`, undefined, [200]);
    await this.after(ok, ['delivered'], 'delivered');
  }

  private async release(): Promise<void> {
    const { ok } = await this.act('release', this.r.client!, ROUTES.release, `${this.base}/release`, undefined, [200]);
    await this.after(ok, ['released'], 'released');
  }

  /** The invoice for what was released: the payout follows PAYOUT_DELAY later. */
  private async invoice(): Promise<void> {
    const s = await this.status();
    const body: RequestBody = {
      form: {
        fields: { invoiceNumber: `FAC-${this.w.run}-${this.plan.label}`, amount: String(s.released) },
        file: { field: 'invoice', name: `facture-${this.plan.label}.pdf`, type: 'application/pdf', bytes: PDF(this.plan.label) },
      },
    };
    const { ok, ex } = await this.act('invoice', this.r.provider!, ROUTES.invoice, `${this.base}/payment-requests`, body, [201]);
    if (ok) this.r.paymentRequestId = (ex.final?.body as { paymentRequestId?: string }).paymentRequestId;
    await this.after(ok, ['payment_requested', 'paid'], 'the payment request');
  }

  private async retryFailedPayout(): Promise<void> {
    const s = await this.waitStatus('the failed payout', (st) => st.paymentRequest?.failed !== undefined || st.state === 'paid');
    if (s.state === 'paid') {
      this.w.findings.add({ kind: 'wrong-answer', milestone: this.plan.label, step: 'payout failure', detail: 'paid although the first payout failed at the bank and nobody asked again' });
      return;
    }
    const id = s.paymentRequest!.id;
    this.r.paymentRequestId = id;
    const { ok } = await this.act('retry payout', this.r.provider!, ROUTES.retryPayout, `/v1/payment-requests/${id}/retry`, undefined, [200]);
    await this.after(ok, ['paid'], 'paid after the retry');
  }

  private async openDispute(by: 'client' | 'provider'): Promise<string> {
    const who = by === 'client' ? this.r.client! : this.r.provider!;
    const body = { json: { reason: by === 'client' ? 'Travail non conforme' : 'Client sans réponse', statement: `Déclaration du ${by} (chaos ${this.plan.label}).` } };
    const { ok, ex } = await this.act(`dispute (${by})`, who, ROUTES.dispute, `${this.base}/disputes`, body, [201]);
    await this.after(ok, ['disputed'], 'disputed');
    const id = ok ? (ex.final?.body as { id?: string }).id : (await this.status()).disputeId;
    if (!id) this.stop('no dispute id');
    this.r.disputeId = id;
    return id;
  }

  private share(inEscrow: number): number {
    if (this.plan.providerShare === 'all') return inEscrow;
    if (this.plan.providerShare === 'none') return 0;
    return Math.round((inEscrow * 0.6) / 100) * 100;
  }

  /** After a decision or settlement: the released part is invoiced and paid, or everything went back. */
  private async afterResolution(ok: boolean): Promise<void> {
    if ((this.r.providerAmount ?? 0) > 0) {
      await this.after(ok, ['released'], 'released by the resolution');
      await this.invoice();
    } else await this.after(ok, ['refunded'], 'refunded by the resolution');
  }

  private async disputeDecided(): Promise<void> {
    await this.fund();
    await this.complete();
    const id = await this.openDispute('provider');
    const dispute = `/v1/disputes/${id}`;
    // The response window may have passed (an outage): then the answer is a legitimate 409.
    if (this.plan.respond) await this.act('response (client)', this.r.client!, ROUTES.respond, `${dispute}/responses`, { json: { statement: 'Le client répond (chaos).' } }, [201], [409]);
    await this.until('the dispute to reach the SMA', WAIT_MS, async () => {
      const { body } = await this.w.api.get<{ state?: string }>(this.w.mediator, dispute, 30_000);
      return body.state === 'escalated' ? true : undefined;
    });
    if (this.plan.askInformation) {
      const asked = await this.act('information request', this.w.mediator, ROUTES.informationRequest, `${dispute}/information-requests`, { json: { party: 'client', question: 'Pouvez-vous préciser ? (chaos)' } }, [201]);
      if (asked.ok) await this.act('information answer (client)', this.r.client!, ROUTES.respond, `${dispute}/responses`, { json: { statement: 'Précisions du client (chaos).' } }, [201], [409]);
    }
    const s = await this.status();
    this.r.providerAmount = this.share(s.inEscrow);
    const decision = { providerAmount: this.r.providerAmount, clientAmount: s.inEscrow - this.r.providerAmount, rationale: `Décision SMA (chaos ${this.plan.label}).` };
    const { ok } = await this.act('decision', this.w.mediator, ROUTES.decision, `${dispute}/decision`, { json: decision }, [200]);
    await this.afterResolution(ok);
  }

  private async disputeSettled(): Promise<void> {
    await this.fund();
    if (this.plan.deliveredFirst) await this.complete();
    const id = await this.openDispute('client');
    const s = await this.status();
    this.r.providerAmount = this.share(s.inEscrow);
    const proposal = await this.act('proposal (provider)', this.r.provider!, ROUTES.propose, `/v1/disputes/${id}/proposals`, { json: { providerAmount: this.r.providerAmount } }, [201]);
    const proposalId = (proposal.ex.final?.body as { proposalId?: string } | undefined)?.proposalId;
    if (!proposal.ok || !proposalId) this.stop(`no proposal (${statusLine(proposal.ex)})`);
    const { ok } = await this.act('accept proposal (client)', this.r.client!, ROUTES.acceptProposal, `/v1/disputes/${id}/proposals/${proposalId}/accept`, undefined, [200]);
    await this.afterResolution(ok);
  }

  private async amended(): Promise<void> {
    await this.fund();
    const newAmount = Math.round((this.plan.amount * this.plan.newAmountFraction) / 100) * 100;
    const changes: unknown[] = [{ milestoneId: this.r.milestoneId, amount: newAmount }];
    if (this.plan.addMilestone) changes.push({ add: { title: `Jalon ${this.plan.label}a`, amount: Math.round(this.plan.amount / 200) * 100 } });
    const projectPath = `/v1/projects/${this.r.projectId}`;
    const proposed = await this.act('amendment (client)', this.r.client!, ROUTES.amend, `${projectPath}/amendments`, { json: { changes } }, [201]);
    type AmendmentView = { id?: string; state?: string; changes?: { add?: { milestoneId: string } }[] };
    const amendment = proposed.ex.final?.body as AmendmentView | undefined;
    if (!proposed.ok || !amendment?.id) this.stop(`no amendment (${statusLine(proposed.ex)})`);
    const accepted = await this.act('amendment accept (provider)', this.r.provider!, ROUTES.acceptAmendment, `${projectPath}/amendments/${amendment.id}/accept`, undefined, [200]);
    const applied = accepted.ex.final?.body as AmendmentView | undefined;
    if (accepted.ok && applied?.state !== 'applied') {
      this.w.findings.add({ kind: 'wrong-answer', milestone: this.plan.label, step: 'amendment accept (provider)', route: ROUTES.acceptAmendment, key: accepted.ex.key, answer: statusLine(accepted.ex), detail: `amendment ${applied?.state ?? '?'}, not applied` });
    }
    const added = (applied?.changes ?? amendment.changes)?.find((c) => c.add)?.add?.milestoneId;
    if (added) this.adopt(added);
    await this.waitStatus('the new amount', (s) => s.amount === newAmount && s.state === 'funded', accepted.ok ? WAIT_MS : EFFECT_WAIT_MS);
    await this.complete();
    await this.release();
    await this.invoice();
  }
}
