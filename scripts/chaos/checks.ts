/**
 * The invariants, once the lives are over and the system has settled. Each check reads the system from one side
 * (the API, PostgreSQL directly, Temporal, the mail catcher, the payment provider's orders inbox) and names the rows,
 * milestones, keys or workflows that break it.
 */
import { Client, Connection } from '@temporalio/client';
import type { Pool } from 'pg';
import { createSmtpMailer } from '../../activities/mail/mailer';
import { checkLedger, LEDGER_RULES } from '../../db/ledger-check';
import type { CaughtMail } from '../../dev/mail-catcher';
import type { OrdersInbox } from '../../dev/orders-inbox';
import { oneLine } from '../fail';
import { problemOf, statusLine, WEBHOOK_ROUTE, type ApiClient, type Exchange } from './client';
import type { Findings } from './findings';
import { elapsed } from '../topology/log';
import type { MilestoneRun } from './lives';
import type { ProcEvent } from '../topology/processes';
import type { Confirmation, DepositSent } from './provider';

export interface Check {
  ok: boolean;
  /** what failed, one line each, naming rows, milestones or keys */
  failures: string[];
  [detail: string]: unknown;
}

const check = (failures: string[], details: Record<string, unknown>): Check => ({ ok: failures.length === 0, failures, ...details });
const count = <T>(items: T[], key: (t: T) => string): Map<string, number> => {
  const m = new Map<string, number>();
  for (const t of items) m.set(key(t), (m.get(key(t)) ?? 0) + 1);
  return m;
};
const label = (runs: MilestoneRun[]) => {
  const m = new Map<string, string>();
  for (const r of runs) if (r.milestoneId) m.set(r.milestoneId, r.plan.label);
  return (id: string | null | undefined) => (id ? (m.get(id) ?? id) : '?');
};

/** Every milestone at its expected end state, in the read model; every life went to its end. */
export async function endStates(db: Pool, runs: MilestoneRun[]): Promise<Check> {
  const ids = runs.flatMap((r) => (r.milestoneId ? [r.milestoneId] : []));
  const { rows } = await db.query<{ id: string; state: string }>('SELECT id, state FROM milestones WHERE id = ANY($1)', [ids]);
  const state = new Map(rows.map((r) => [r.id, r.state]));
  const wrong = runs
    .filter((r) => !r.milestoneId || state.get(r.milestoneId) !== r.plan.expected)
    .map((r) => ({ milestone: r.plan.label, id: r.milestoneId ?? null, kind: r.plan.kind, expected: r.plan.expected, actual: r.milestoneId ? (state.get(r.milestoneId) ?? 'missing') : 'never created', stopped: r.stopped ?? null }));
  return check(
    wrong.map((w) => `milestone ${w.milestone} (${w.id ?? '-'}, ${w.kind}) is ${w.actual}, expected ${w.expected}${w.stopped ? `; its life stopped: ${w.stopped}` : ''}`),
    { milestones: runs.length, atEndState: runs.length - wrong.length, notAtEndState: wrong },
  );
}

/** The ledger check of `npm run ledger:check` (db/ledger-check.ts), over the whole database. */
export async function ledgerRules(db: Pool): Promise<Check> {
  const violations = await checkLedger(db);
  const { rows } = await db.query<{ entries: number }>('SELECT count(*) AS entries FROM ledger_entries');
  return check(
    violations.map((v) => `rule "${v.rule}": ${v.subject}: ${v.detail}`),
    { entries: rows[0].entries, rules: LEDGER_RULES.length, violations: violations.length, rulesBroken: [...new Set(violations.map((v) => v.rule))] },
  );
}

/**
 * Every ended milestone settled to the cent (nothing left in escrow, due, payable or in transit), and the money as the
 * payment provider moved it: each deposit event once, payouts and refunds as confirmed, one release at most.
 */
export async function money(db: Pool, runs: MilestoneRun[], deposits: DepositSent[], confirmations: Confirmation[]): Promise<Check> {
  const failures: string[] = [];
  const name = label(runs);
  const ids = runs.flatMap((r) => (r.milestoneId ? [r.milestoneId] : []));
  const { rows: balances } = await db.query<{ milestone_id: string; account: string; balance: number }>(
    `SELECT milestone_id, account, sum(amount) AS balance FROM ledger_lines WHERE milestone_id = ANY($1) GROUP BY 1, 2 HAVING sum(amount) <> 0`,
    [ids],
  );
  const open = ['escrow', 'escrow_fee_held', 'provider_payable', 'payouts_in_transit', 'refunds_due', 'refunds_in_transit'];
  for (const b of balances.filter((x) => open.includes(x.account))) {
    failures.push(`milestone ${name(b.milestone_id)} (${b.milestone_id}) ended with ${-b.balance} on ${b.account}`);
  }
  const { rows: flows } = await db.query<{ milestone_id: string; kind: string; cash: number; entries: number }>(
    `SELECT e.milestone_id, e.kind, coalesce(sum(l.amount) FILTER (WHERE l.account = 'psp_cash'), 0) AS cash, count(DISTINCT e.id) AS entries
     FROM ledger_entries e JOIN ledger_lines l ON l.entry_id = e.id WHERE e.milestone_id = ANY($1) GROUP BY 1, 2`,
    [ids],
  );
  const flow = (id: string, kind: string) => flows.find((f) => f.milestone_id === id && f.kind === kind) ?? { cash: 0, entries: 0 };
  const sum = <T>(items: T[], of: (t: T) => number) => items.reduce((s, t) => s + of(t), 0);
  for (const r of runs) {
    const id = r.milestoneId;
    if (!id) continue;
    const sent = deposits.filter((d) => d.milestoneId === id);
    const paidOut = confirmations.filter((c) => c.milestoneId === id && c.kind === 'payout' && c.outcome === 'paid');
    const refunded = confirmations.filter((c) => c.milestoneId === id && c.kind === 'refund' && c.outcome === 'paid');
    const expect = (what: string, ledgerValue: number, harness: number) => {
      if (ledgerValue !== harness) failures.push(`milestone ${r.plan.label} (${id}): ${what} is ${ledgerValue} in the ledger, ${harness} as the payment provider saw it`);
    };
    expect('deposited cash', flow(id, 'deposit').cash, sum(sent, (d) => d.amount));
    expect('deposit entries', flow(id, 'deposit').entries, sent.length);
    expect('cash paid out', -flow(id, 'payout_paid').cash, sum(paidOut, (c) => c.amount));
    expect('cash refunded', -flow(id, 'refund_paid').cash, sum(refunded, (c) => c.amount));
    if (flow(id, 'release').entries > 1) failures.push(`milestone ${r.plan.label} (${id}): released ${flow(id, 'release').entries} times`);
  }
  return check(failures, { milestones: ids.length });
}

/** The payment provider's view (the orders inbox) against the platform's: one order per payout and per refund attempt. */
export async function orders(db: Pool, runs: MilestoneRun[], inbox: OrdersInbox): Promise<Check> {
  const name = label(runs);
  const failures: string[] = [];
  const received = inbox.orders;
  const payoutOrders = received.filter((o) => o.type === 'payout.order');
  const refundOrders = received.filter((o) => o.type === 'refund.order');
  const byPayout = count(payoutOrders, (o) => String(o.data.payoutId));
  const byRefund = count(refundOrders, (o) => String(o.data.refundId));
  for (const [id, n] of byPayout) if (n > 1) failures.push(`payout ${id}: ${n} orders under different keys`);
  const { rows: payouts } = await db.query<{ payout_id: string; payment_request_id: string; milestone_id: string; state: string }>('SELECT payout_id, payment_request_id, milestone_id, state FROM payouts');
  const { rows: refunds } = await db.query<{ id: string; milestone_id: string; attempt: number; state: string; reason: string }>('SELECT id, milestone_id, attempt, state, reason FROM refunds');
  for (const p of payouts) if (!byPayout.has(p.payout_id)) failures.push(`payout ${p.payout_id} of milestone ${name(p.milestone_id)} is recorded but was never ordered`);
  for (const id of byPayout.keys()) if (!payouts.some((p) => p.payout_id === id)) failures.push(`payout ${id} was ordered but the platform has no record of it`);
  for (const r of refunds) {
    const n = byRefund.get(r.id) ?? 0;
    if (n !== r.attempt) failures.push(`refund ${r.id} of milestone ${name(r.milestone_id)}: ${n} orders for ${r.attempt} attempt(s)`);
    if (r.state !== 'paid') failures.push(`refund ${r.id} of milestone ${name(r.milestone_id)} is ${r.state}`);
  }
  for (const id of byRefund.keys()) if (!refunds.some((r) => r.id === id)) failures.push(`refund ${id} was ordered but the platform has no record of it`);
  for (const p of payouts.filter((x) => x.state === 'ordered')) failures.push(`payout ${p.payout_id} of milestone ${name(p.milestone_id)} still ordered`);
  // refunds per milestone, as each life makes them
  const perMilestone = count(refunds, (r) => r.milestone_id);
  for (const r of runs) {
    if (!r.milestoneId) continue;
    const n = perMilestone.get(r.milestoneId) ?? 0;
    if (n !== r.plan.refunds) failures.push(`milestone ${r.plan.label} (${r.plan.kind}): ${n} refund(s), its life makes ${r.plan.refunds}`);
  }
  const { rows: requests } = await db.query<{ milestone_id: string; n: number }>(`SELECT milestone_id, count(*) AS n FROM payment_requests WHERE state <> 'rejected' GROUP BY 1 HAVING count(*) > 1`);
  for (const q of requests) failures.push(`milestone ${name(q.milestone_id)}: ${q.n} payment requests that are not rejected`);
  const redelivered = [...count(inbox.deliveries, (d) => d.idempotencyKey ?? '?')].filter(([, n]) => n > 1).length;
  return check(failures, {
    payoutOrders: payoutOrders.length,
    refundOrders: refundOrders.length,
    ordersRedeliveredUnderTheSameKey: redelivered,
    deliveries: inbox.deliveries.length,
  });
}

/** Processes that exited when nobody killed them (at start while a dependency was down, or on its loss). */
export function processes(events: ProcEvent[]): Check {
  const exits = events.filter((e) => e.what === 'exited-by-itself');
  return check(
    exits.map((e) => `${e.proc} exited by itself at +${elapsed(e.at)}s (${e.detail ?? ''}) and was started again`),
    { exitedByThemselves: exits.length },
  );
}

/** Where two JSON values first differ, e.g. `milestones.1.state: "awaiting_deposit" then "funded"`. */
export function firstDifference(a: unknown, b: unknown, at = ''): string {
  const here = at || '(root)';
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || a === null || b === null || typeof a !== 'object') {
    return a === b ? '' : `${here}: ${JSON.stringify(a)?.slice(0, 80)} then ${JSON.stringify(b)?.slice(0, 80)}`;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const k of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
    const d = firstDifference(ra[k], rb[k], at ? `${at}.${k}` : k);
    if (d) return d;
  }
  return '';
}

/** Milestone actions and the timeline event each leaves when it takes effect. */
const EFFECTS: Record<string, string[]> = {
  'POST /v1/projects/:projectId/milestones/:milestoneId/complete': ['work_delivered'],
  'POST /v1/projects/:projectId/milestones/:milestoneId/release': ['released'],
  'POST /v1/projects/:projectId/milestones/:milestoneId/disputes': ['dispute_opened'],
  'POST /v1/disputes/:disputeId/decision': ['dispute_decided'],
  'POST /v1/disputes/:disputeId/proposals/:proposalId/accept': ['dispute_settled'],
  'POST /v1/projects/:projectId/milestones/:milestoneId/payment-requests': ['payment_requested'],
  'POST /v1/payment-requests/:paymentRequestId/retry': ['payout_retry_requested'],
  'POST /v1/disputes/:disputeId/proposals': ['settlement_proposed'],
};

/**
 * Every answer the client kept, against the final state and against the API's own memory: a same-key retry now gets the
 * same answer (a webhook event again: `duplicate`); the stored answer is the one received; no key is still locked; an
 * action answered 2xx took effect, one refused did not; no invoice number is held by a request that went nowhere.
 */
export async function answers(db: Pool, api: ApiClient, runs: MilestoneRun[], findings: Findings): Promise<Check> {
  const failures: string[] = findings.list.map(
    (f) => `${f.kind}: ${f.milestone ?? ''}${f.step ? ` ${f.step}` : ''}${f.route ? ` [${f.route}]` : ''}${f.key ? ` key ${f.key}` : ''}${f.answer ? ` answered ${f.answer}` : ''}: ${f.detail}`,
  );
  const exchanges = api.exchanges.filter((e) => e.final);
  // Same key again, as a client retrying late would.
  const mismatches: string[] = [];
  const queue = [...exchanges];
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      for (let ex = queue.shift(); ex; ex = queue.shift()) {
        const again = await api.replay(ex);
        if (ex.route === WEBHOOK_ROUTE) {
          const outcome = (again.final?.body as { outcome?: string } | undefined)?.outcome;
          if (outcome !== 'duplicate') mismatches.push(`event ${ex.key} (${ex.milestone ?? ''} ${ex.step ?? ''}) delivered again: ${again.final ? `${again.final.status} ${outcome ?? ''}` : statusLine(again)}, not duplicate`);
        } else if (!again.final || again.final.status !== ex.final!.status || again.final.text !== ex.final!.text) {
          const diff = again.final && again.final.status === ex.final!.status ? ` with another body (${firstDifference(ex.final!.body, again.final.body)})` : '';
          mismatches.push(`${ex.route} key ${ex.key} (${ex.milestone ?? ''} ${ex.step ?? ''}): first ${statusLine(ex)}, same key again ${statusLine(again)}${diff}`);
        }
      }
    }),
  );
  failures.push(...mismatches.map((m) => `replay: ${m}`));
  // What the API stored under each key.
  const { rows: keys } = await db.query<{ principal: string; key: string; state: string; status: number | null }>('SELECT principal, key, state, status FROM idempotency_keys');
  const stored = new Map(keys.map((k) => [`${k.principal} ${k.key}`, k]));
  const locked = keys.filter((k) => k.state !== 'done');
  for (const k of locked) failures.push(`idempotency key ${k.key} of ${k.principal} still ${k.state}`);
  for (const ex of exchanges.filter((e) => e.route !== WEBHOOK_ROUTE)) {
    const row = stored.get(`${ex.principal} ${ex.key}`);
    if (row && row.state === 'done' && row.status !== ex.final!.status) failures.push(`idempotency key ${ex.key}: the API stored ${row.status}, the client was answered ${ex.final!.status}`);
  }
  // Answers against the final state: the timeline says whether the action took effect.
  const ids = runs.flatMap((r) => (r.milestoneId ? [r.milestoneId] : []));
  const { rows: events } = await db.query<{ milestone_id: string; type: string }>('SELECT milestone_id, type FROM milestone_events WHERE milestone_id = ANY($1)', [ids]);
  const byLabel = new Map(runs.map((r) => [r.plan.label, r]));
  const inconsistent: string[] = [];
  for (const ex of api.exchanges) {
    const effect = EFFECTS[ex.route];
    const r = ex.milestone ? byLabel.get(ex.milestone) : undefined;
    if (!effect || !r?.milestoneId || !ex.final) continue;
    const happened = events.some((e) => e.milestone_id === r.milestoneId && effect.includes(e.type));
    const success = ex.final.status >= 200 && ex.final.status < 300;
    if (success && !happened) inconsistent.push(`${ex.milestone} ${ex.step}: answered ${ex.final.status} but no ${effect.join('/')} on its timeline`);
    if (!success && happened && ex.route !== 'POST /v1/disputes/:disputeId/proposals') {
      inconsistent.push(`${ex.milestone} ${ex.step}: answered ${statusLine(ex)} but it happened (${effect.join('/')} on its timeline)`);
    }
  }
  failures.push(...inconsistent.map((i) => `answer vs final state: ${i}`));
  // Invoice numbers taken by a payment request that never reached its workflow.
  const { rows: orphans } = await db.query<{ id: string; milestone_id: string; invoice_number: string }>(`SELECT id, milestone_id, invoice_number FROM payment_requests WHERE state = 'submitted'`);
  const name = label(runs);
  for (const o of orphans) failures.push(`payment request ${o.id} (milestone ${name(o.milestone_id)}, invoice ${o.invoice_number}) left submitted: its number is burned`);
  const statuses = [...count(exchanges, (e) => `${e.final!.status}${problemOf(e.final!.body) && e.final!.status >= 400 ? ` ${problemOf(e.final!.body)}` : ''}`)].sort();
  return check(failures, {
    requests: api.exchanges.length,
    attempts: api.exchanges.reduce((s, e) => s + e.attempts.length, 0),
    retried: api.exchanges.filter((e) => e.attempts.length > 1).length,
    finalStatuses: Object.fromEntries(statuses),
    wrongAnswers: findings.count('wrong-answer'),
    unanswered: findings.count('unanswered'),
    webhookAnomalies: findings.count('webhook-anomaly'),
    livesStuck: findings.count('life-stuck'),
    replayMismatches: mismatches.length,
    keysStillLocked: locked.length,
    inconsistentWithFinalState: inconsistent.length,
    burnedInvoiceNumbers: orphans.length,
  });
}

/** No workflow failed, none still open (each milestone, project and refund has ended), none stuck on a failing task. */
export async function workflows(address: string): Promise<Check> {
  const connection = await Connection.connect({ address });
  const failures: string[] = [];
  const statuses = new Map<string, number>();
  const taskFailures: string[] = [];
  try {
    const client = new Client({ connection, namespace: 'default' });
    const all: { workflowId: string; runId: string; type: string; status: string }[] = [];
    for await (const wf of client.workflow.list()) {
      all.push({ workflowId: wf.workflowId, runId: wf.runId, type: wf.type, status: wf.status.name });
      statuses.set(wf.status.name, (statuses.get(wf.status.name) ?? 0) + 1);
    }
    for (const wf of all.filter((w) => !['RUNNING', 'COMPLETED', 'CONTINUED_AS_NEW'].includes(w.status))) failures.push(`workflow ${wf.workflowId} ${wf.status}`);
    const now = Date.now();
    for (const wf of all.filter((w) => w.status === 'RUNNING')) {
      const d = await client.workflow.getHandle(wf.workflowId, wf.runId).describe();
      const task = d.raw.pendingWorkflowTask;
      const why: string[] = [];
      if (task && (task.attempt ?? 0) > 1) why.push(`workflow task failing (attempt ${task.attempt})`);
      for (const a of d.raw.pendingActivities ?? []) {
        const started = a.lastStartedTime?.seconds ? Number(a.lastStartedTime.seconds) * 1000 : undefined;
        const late = started !== undefined && now - started > 60_000;
        why.push(`activity ${a.activityType?.name ?? '?'} attempt ${a.attempt}${late ? ' past its timeout' : ''}${a.lastFailure?.message ? `: ${a.lastFailure.message.slice(0, 160)}` : ''}`);
      }
      failures.push(`workflow ${wf.workflowId} still open${why.length ? `: ${why.join('; ')}` : ' (waiting)'}`);
    }
    // Workflow tasks that failed along the way: a non-determinism is a bug even if the workflow went on.
    for (const wf of all) {
      const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      const seen = new Map<string, number>();
      for (const e of history.events ?? []) {
        const failed = e.workflowTaskFailedEventAttributes;
        if (!failed) continue;
        const message = (failed.failure?.message ?? '').slice(0, 240);
        taskFailures.push(`${wf.workflowId} (event ${String(e.eventId)}): cause ${String(failed.cause)} ${message}`);
        if (/nondetermin/i.test(message)) seen.set(message, (seen.get(message) ?? 0) + 1);
      }
      for (const [message, n] of seen) failures.push(`workflow ${wf.workflowId}: non-deterministic workflow task (${n} attempt(s)): ${message}`);
    }
    return check(failures, { workflows: all.length, byStatus: Object.fromEntries(statuses), workflowTaskFailures: taskFailures.length, workflowTaskFailureSamples: taskFailures.slice(0, 10) });
  } catch (err) {
    return check([`could not read Temporal: ${oneLine(err)}`], {});
  } finally {
    await connection.close();
  }
}

const REMINDERS = ['deposit_reminder', 'release_reminder', 'client_silent', 'dispute_reminder', 'information_reminder'];

/**
 * Every mail the outbox recorded reached the mail server once. "Same Message-ID delivered twice" is a resend of one
 * mail (a worker died after the server took it and before it was marked sent: SMTP's window, which the outbox cannot
 * close), counted apart and not a failure; "two different messages for one key" is a real duplicate (another text
 * under the key's Message-ID, or one notice under two keys) and fails. No reminder was decided after its milestone
 * ended, and nothing arrived once everything had ended.
 */
export async function mails(db: Pool, runs: MilestoneRun[], caught: CaughtMail[], quietSince: number): Promise<Check> {
  const failures: string[] = [];
  const name = label(runs);
  const { rows: outbox } = await db.query<{ key: string; recipient: string; template: string; message_id: string | null; state: string; attempts: number }>(
    'SELECT key, recipient, template, message_id, state, attempts FROM sent_emails',
  );
  const mailer = createSmtpMailer('smtp://127.0.0.1:1', 'Plateforme <no-reply@escrow.localhost>');
  const byMessageId = new Map<string, CaughtMail[]>();
  for (const m of caught) byMessageId.set(m.messageId, [...(byMessageId.get(m.messageId) ?? []), m]);
  const keyOf = new Map(outbox.filter((o) => o.message_id).map((o) => [o.message_id!, o.key]));
  const resent: string[] = [];
  const differentForOneKey: string[] = [];
  for (const [mid, copies] of byMessageId) {
    if (copies.length < 2) continue;
    const same = copies.every((c) => c.subject === copies[0].subject && c.text === copies[0].text && c.to.join() === copies[0].to.join());
    (same ? resent : differentForOneKey).push(`${keyOf.get(mid) ?? mid}: ${copies.length} deliveries of "${copies[0].subject}"`);
  }
  for (const o of outbox) {
    if (o.message_id && o.message_id !== mailer.messageIdFor(o.key)) differentForOneKey.push(`${o.key}: Message-ID ${o.message_id}, not the key's own`);
  }
  // One notice under two keys: same recipient, subject and text, two Message-IDs.
  const byContent = new Map<string, Set<string>>();
  for (const m of caught) {
    const k = `${m.to.join()}|${m.subject}|${m.text}`;
    byContent.set(k, new Set([...(byContent.get(k) ?? []), m.messageId]));
  }
  for (const [k, mids] of byContent) if (mids.size > 1) differentForOneKey.push(`"${k.split('|')[1]}" to ${k.split('|')[0]} under ${mids.size} keys: ${[...mids].map((mid) => keyOf.get(mid) ?? mid).join(', ')}`);
  const unknown = caught.filter((m) => !keyOf.has(m.messageId));
  const pending = outbox.filter((o) => o.state === 'pending');
  const notReceived = outbox.filter((o) => o.state === 'sent' && o.message_id && !byMessageId.has(o.message_id));
  failures.push(...differentForOneKey.map((d) => `two different messages for one key: ${d}`));
  failures.push(...unknown.map((m) => `mail "${m.subject}" to ${m.to.join()} with Message-ID ${m.messageId} that the outbox never recorded`));
  failures.push(...pending.map((o) => `mail ${o.key} still pending in the outbox (${o.attempts} attempt(s)): never sent`));
  failures.push(...notReceived.map((o) => `mail ${o.key} marked sent but never received`));
  // Reminders decided after the end, and anything after everything had ended.
  const ids = runs.flatMap((r) => (r.milestoneId ? [r.milestoneId] : []));
  const { rows: ends } = await db.query<{ milestone_id: string; ended: Date }>(
    `SELECT milestone_id, min(at) AS ended FROM milestone_events
     WHERE milestone_id = ANY($1) AND (type IN ('paid', 'refunded', 'cancelled', 'removed_by_amendment')
       OR (type IN ('dispute_decided', 'dispute_settled') AND (data->>'providerAmount')::bigint = 0))
     GROUP BY 1`,
    [ids],
  );
  const endOf = new Map(ends.map((e) => [e.milestone_id, e.ended.getTime()]));
  const { rows: reminders } = await db.query<{ key: string; kind: string; milestone_id: string; created_at: Date }>(
    'SELECT key, kind, milestone_id, created_at FROM notifications WHERE kind = ANY($1) AND milestone_id = ANY($2)',
    [REMINDERS, ids],
  );
  const lateReminders = reminders.filter((n) => (endOf.get(n.milestone_id) ?? Infinity) < n.created_at.getTime());
  failures.push(...lateReminders.map((n) => `reminder ${n.kind} for milestone ${name(n.milestone_id)} decided ${((n.created_at.getTime() - endOf.get(n.milestone_id)!) / 1000).toFixed(1)} s after it ended (${n.key})`));
  // a milestone whose life stopped early has not ended: its mails may come at any time (it fails elsewhere)
  const unfinished = runs.filter((r) => r.stopped && r.milestoneId).map((r) => r.milestoneId!);
  const afterTheEnd = caught.filter((m) => Date.parse(m.receivedAt) > quietSince && !unfinished.some((id) => keyOf.get(m.messageId)?.startsWith(`${id}:`)));
  failures.push(...afterTheEnd.map((m) => `mail "${m.subject}" to ${m.to.join()} received after every milestone had ended`));
  const byTemplate = Object.fromEntries([...count(outbox, (o) => o.template)].sort());
  return check(failures, {
    received: caught.length,
    distinctMessageIds: byMessageId.size,
    outbox: outbox.length,
    byTemplate,
    // SMTP's own window (docs/decisions.md, the e-mail outbox): counted and named, not a failure
    sameMessageIdDeliveredTwice: resent.length,
    sameMessageIdDeliveredTwiceList: resent,
    twoDifferentMessagesForOneKey: differentForOneKey.length,
    notFromTheOutbox: unknown.length,
    pendingAtTheEnd: pending.length,
    sentButNotReceived: notReceived.length,
    remindersAfterTheEnd: lateReminders.length,
    receivedAfterTheEnd: afterTheEnd.length,
  });
}

/** The Gestion paiements summary, as the client reads it, against the money the payment provider moved. */
export async function summaries(api: ApiClient, runs: MilestoneRun[], confirmations: Confirmation[]): Promise<Check> {
  const failures: string[] = [];
  const projects = new Map<string, MilestoneRun>();
  for (const r of runs) if (r.projectId && r.client && !projects.has(r.projectId)) projects.set(r.projectId, r);
  for (const [projectId, r] of projects) {
    const { status, body } = await api.get<{ milestones?: Record<string, number | string>[] }>(r.client!, `/v1/projects/${projectId}/payments`, 60_000);
    if (status !== 200) {
      failures.push(`project ${r.project}: payments summary answered ${status}`);
      continue;
    }
    for (const m of body.milestones ?? []) {
      const id = String(m.milestoneId);
      const own = runs.find((x) => x.milestoneId === id);
      const paid = confirmations.filter((c) => c.milestoneId === id && c.kind === 'payout' && c.outcome === 'paid').reduce((s, c) => s + c.amount, 0);
      const bad: string[] = [];
      if (m.paidOut !== paid) bad.push(`paidOut ${m.paidOut}, the provider paid ${paid}`);
      for (const k of ['inEscrow', 'payable', 'refundsPending']) if (m[k] !== 0) bad.push(`${k} ${m[k]}`);
      if (Number(m.deposited) !== Number(m.released) + Number(m.refunded) + Number(m.inEscrow)) bad.push('deposited ≠ released + refunded + inEscrow');
      if (bad.length) failures.push(`milestone ${own?.plan.label ?? id} (${String(m.state)}): ${bad.join(', ')}`);
    }
  }
  return check(failures, { projects: projects.size });
}

export type { Exchange };
