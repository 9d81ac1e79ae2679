/**
 * The payment provider, played by the harness: it reports deposits (sometimes delivering an event twice, at once or
 * later, as providers do), takes the platform's payout and refund orders in the orders inbox, and confirms each once
 * the platform has recorded it (a payout of a `payout_retry` life fails at its first attempt).
 */
import type { OrdersInbox, ReceivedOrder } from '../../dev/orders-inbox';
import { oneLine } from '../fail';
import { statusLine, type ApiClient, type Caller, type Exchange } from './client';
import type { Findings } from './findings';
import { log, sleep } from '../topology/log';

/** A milestone as the provider needs to know it: who may read its state. */
export interface Tracked {
  label: string;
  projectId: string;
  milestoneId: string;
  client: Caller;
  provider: Caller;
}

export interface Confirmation {
  orderKey: string;
  kind: 'payout' | 'refund';
  /** payoutId or refundId */
  id: string;
  milestoneId: string;
  amount: number;
  outcome: 'paid' | 'failed';
  eventIds: string[];
  ack?: string;
  at: number;
}

export interface DepositSent {
  milestoneId: string;
  label: string;
  eventId: string;
  amount: number;
  /** the outcome of each delivery of the event */
  outcomes: string[];
}

const ackOf = (ex: Exchange): string | undefined => (ex.final?.body as { outcome?: string } | undefined)?.outcome;
/** An attempt whose answer we never got (or a 5xx): the API may have applied the event anyway. */
const maybeApplied = (ex: Exchange) => ex.attempts.slice(0, -1).some((a) => a.error !== undefined || (a.status ?? 0) >= 500);

export class PaymentProviderSim {
  readonly confirmations: Confirmation[] = [];
  readonly deposits: DepositSent[] = [];
  /** outcomes other than `applied`/`duplicate` for events an attempt with a lost answer had applied: named, not failures */
  readonly lateOutcomes: string[] = [];
  private readonly seen = new Set<string>();
  private readonly confirming = new Set<Promise<void>>();
  private readonly failFirst = new Set<string>();
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly api: ApiClient,
    private readonly inbox: OrdersInbox,
    private readonly run: string,
    private readonly lookup: (milestoneId: string) => Tracked | undefined,
    private readonly findings: Findings,
  ) {}

  /** The first payout ordered for this milestone will fail at the bank. */
  failFirstPayoutOf(milestoneId: string): void {
    this.failFirst.add(milestoneId);
  }

  /** Money arrived for a milestone: the signed `deposit.succeeded`, delivered as `redelivery` says. */
  async deposit(t: Tracked, amount: number, n: number, redelivery: 'none' | 'concurrent' | 'later'): Promise<boolean> {
    const event = {
      id: `evt_${this.run}_${t.label}_d${n}`,
      type: 'deposit.succeeded',
      data: { milestoneId: t.milestoneId, amount, currency: 'EUR', reference: `vir-${this.run}-${t.label}-${n}` },
    };
    const record: DepositSent = { milestoneId: t.milestoneId, label: t.label, eventId: event.id, amount, outcomes: [] };
    this.deposits.push(record);
    const tag = { milestone: t.label, step: `deposit ${n}` };
    const sends = redelivery === 'concurrent' ? [this.api.webhook(event, tag), this.api.webhook(event, { ...tag, step: `${tag.step} (concurrent copy)` })] : [this.api.webhook(event, tag)];
    const first = await Promise.all(sends);
    if (redelivery === 'later') {
      await sleep(1000 + Math.floor(Math.random() * 2000));
      first.push(await this.api.webhook(event, { ...tag, step: `${tag.step} (redelivered)` }));
    }
    for (const ex of first) record.outcomes.push(ex.final ? (ackOf(ex) ?? `status ${ex.final.status}`) : 'no answer');
    const unanswered = first.filter((ex) => !ex.final);
    for (const ex of unanswered) {
      this.findings.add({ kind: 'unanswered', milestone: t.label, step: ex.step, route: ex.route, key: ex.key, answer: statusLine(ex), detail: 'deposit event never acknowledged' });
    }
    if (unanswered.length > 0) return false;
    this.judgeDeposit(t, first, redelivery);
    return true;
  }

  /** One delivery applies the event; every other says `duplicate` (unless its answer was lost and it was sent again). */
  private judgeDeposit(t: Tracked, deliveries: Exchange[], redelivery: string): void {
    const acks = deliveries.map(ackOf);
    const applied = acks.filter((a) => a === 'applied').length;
    const bad = (detail: string) =>
      this.findings.add({ kind: 'webhook-anomaly', milestone: t.label, step: deliveries[0].step, route: deliveries[0].route, key: deliveries[0].key, answer: acks.join(', '), detail });
    if (acks.some((a) => a !== 'applied' && a !== 'duplicate')) return bad(`deposit acknowledged ${acks.join(', ')}`);
    if (applied > 1) return bad(`${redelivery} redelivery of one deposit event answered "applied" ${applied} times (one of them should say "duplicate")`);
    if (applied === 0 && !deliveries.some(maybeApplied)) return bad('no delivery of a new deposit event answered "applied"');
  }

  /** Confirms the orders that arrive from now on (those already in the inbox belong to earlier lives). */
  start(): void {
    for (const order of this.inbox.orders) this.seen.add(order.idempotencyKey);
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        for (const order of [...this.inbox.orders]) {
          if (this.seen.has(order.idempotencyKey)) continue;
          this.seen.add(order.idempotencyKey);
          const p = this.confirm(order).catch((err: unknown) => log(`provider: could not confirm ${order.idempotencyKey}: ${oneLine(err)}`));
          this.confirming.add(p);
          void p.finally(() => this.confirming.delete(p));
        }
        await sleep(300);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await Promise.all([...this.confirming]);
  }

  /** Orders received for these milestones and not yet confirmed. */
  unconfirmedFor(milestoneIds: string[]): number {
    return this.inbox.orders.filter(
      (o) => milestoneIds.includes(String(o.data.milestoneId)) && !this.confirmations.some((c) => c.orderKey === o.idempotencyKey),
    ).length;
  }

  private async confirm(order: ReceivedOrder): Promise<void> {
    const data = order.data as { payoutId?: string; refundId?: string; milestoneId?: string; amount?: number };
    const milestoneId = String(data.milestoneId ?? '');
    const t = this.lookup(milestoneId);
    const kind = order.type === 'payout.order' ? 'payout' : 'refund';
    const id = String(kind === 'payout' ? data.payoutId : data.refundId);
    if (!t) {
      this.findings.add({ kind: 'webhook-anomaly', detail: `${order.type} ${id} for milestone ${milestoneId}, which the harness never created` });
      return;
    }
    // A provider answers once it has processed the order; the platform records it right after the order is taken.
    await this.untilKnown(t, kind, id);
    const outcome = kind === 'payout' && this.failFirst.delete(t.milestoneId) ? 'failed' : 'paid';
    const c: Confirmation = { orderKey: order.idempotencyKey, kind, id, milestoneId: t.milestoneId, amount: Number(data.amount ?? 0), outcome, eventIds: [], at: Date.now() };
    const type = `${kind}.${outcome}`;
    const payload = kind === 'payout' ? { payoutId: id } : { refundId: id };
    for (let n = 1; n <= 10; n++) {
      const eventId = `evt_${this.run}_${type}_${id}${n > 1 ? `_${n}` : ''}`;
      c.eventIds.push(eventId);
      const ex = await this.api.webhook({ id: eventId, type, data: outcome === 'failed' ? { ...payload, reason: 'compte clôturé (chaos)' } : payload }, { milestone: t.label, step: type });
      c.ack = ex.final ? ackOf(ex) : `no answer (${ex.gaveUp ?? '?'})`;
      if (c.ack === 'applied' || (c.ack === 'duplicate' && maybeApplied(ex))) break;
      if (ex.final && maybeApplied(ex) && (await this.settled(t, kind, id, outcome))) {
        // An attempt whose answer was lost applied it; the retry, re-applying it, found it done and said so otherwise.
        this.lateOutcomes.push(`${t.label} ${type} ${id} (event ${eventId}): "${c.ack}" after an attempt whose answer was lost had applied it`);
        break;
      }
      this.findings.add({ kind: ex.final ? 'webhook-anomaly' : 'unanswered', milestone: t.label, step: type, route: ex.route, key: eventId, answer: c.ack, detail: `${type} for ${id}, which the platform had recorded, was acknowledged "${c.ack}" and has no effect; sent again under a new event id` });
      await sleep(3000);
    }
    c.at = Date.now();
    this.confirmations.push(c);
  }

  /** Whether the platform shows the outcome: the milestone paid by this payout (or its failure), the refund confirmed. */
  private async settled(t: Tracked, kind: 'payout' | 'refund', id: string, outcome: 'paid' | 'failed'): Promise<boolean> {
    const base = `/v1/projects/${t.projectId}/milestones/${t.milestoneId}`;
    try {
      if (kind === 'payout') {
        const { body } = await this.api.get<{ state?: string; paymentRequest?: { payoutId?: string; failed?: unknown } }>(t.provider, base, 30_000);
        return outcome === 'paid' ? body.state === 'paid' && body.paymentRequest?.payoutId === id : body.paymentRequest?.failed !== undefined;
      }
      const { body } = await this.api.get<{ events?: { type: string; data?: { refundId?: string } }[] }>(t.client, `${base}/timeline`, 30_000);
      return body.events?.some((e) => e.type === 'refund_confirmed' && e.data?.refundId === id) ?? false;
    } catch {
      return false;
    }
  }

  /** Until the platform shows the payout id on the milestone, or the refund order on its timeline (3 minutes at most). */
  private async untilKnown(t: Tracked, kind: 'payout' | 'refund', id: string): Promise<void> {
    const deadline = Date.now() + 180_000;
    const base = `/v1/projects/${t.projectId}/milestones/${t.milestoneId}`;
    while (Date.now() < deadline) {
      try {
        if (kind === 'payout') {
          const { body } = await this.api.get<{ state?: string; paymentRequest?: { payoutId?: string } }>(t.provider, base, 30_000);
          if (body.paymentRequest?.payoutId === id || body.state === 'paid') return;
        } else {
          const { body } = await this.api.get<{ events?: { type: string; data?: { refundId?: string } }[] }>(t.client, `${base}/timeline`, 30_000);
          if (body.events?.some((e) => e.type === 'refund_ordered' && e.data?.refundId === id)) return;
        }
      } catch {
        // the API is down: try again
      }
      await sleep(1000);
    }
    this.findings.add({ kind: 'webhook-anomaly', milestone: t.label, detail: `${kind} ${id} was ordered but the platform did not show it within 3 minutes; confirmed anyway` });
  }
}
