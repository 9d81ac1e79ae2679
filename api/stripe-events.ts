import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { isFinal } from '../domain/milestone';
import type Stripe from 'stripe';
import { findDepositIntent, findDepositIntentByCharge, markDepositSucceeded, type DepositIntentRecord } from '../db/deposit-intents';
import { closeIncident } from '../db/incidents';
import { postMovement } from '../db/ledger';
import { setPayoutsEnabled } from '../db/payout-accounts';
import { findRequestByPayoutId } from '../db/payment-requests';
import type { Db } from '../db/pool';
import { findProject, milestoneTitle, type ProjectRow } from '../db/projects';
import { findProviderRefund } from '../db/refunds';
import { explainIncident } from '../domain/incidents';
import type { Logger } from '../lib/logger';
import { chargebackSignal, milestoneWorkflowId, payoutSettledSignal, statusQuery } from '../workflows/milestone/contract';
import { refundSettledSignal, refundWorkflowId } from '../workflows/refund/contract';
import { endedIsIgnored } from '../lib/workflow-signals';
import { deliverDeposit } from './deposits';
import { raiseIncident, reportToIncident } from './incidents';

export interface StripeEventDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  stripe: Stripe;
  log: Logger;
}

/** Text from Stripe as PostgreSQL stores it (no NUL). */
const clean = (text: string | null | undefined): string | undefined => text?.replace(/\0/g, '') || undefined;

const idOf = (x: string | { id: string } | null | undefined): string | undefined => (typeof x === 'string' ? x : (x?.id ?? undefined));

/**
 * Applies one verified Stripe event; returns what came of it. Money facts reach the workflows as signals deduplicated
 * by event id; the read models the API answers from (accounts, intents, incidents) are written here.
 */
export function stripeEventHandler(deps: StripeEventDeps) {
  const { db, temporal, taskQueue, stripe, log } = deps;
  const incidentDeps = { db, temporal, taskQueue };

  /** The intent an event is about, found by its stored id; the metadata is only a cross-check. */
  async function depositOf(pi: Stripe.PaymentIntent): Promise<{ intent: DepositIntentRecord; project: ProjectRow } | undefined> {
    const intent = await findDepositIntent(db, pi.id);
    if (!intent) return undefined;
    if (pi.metadata?.milestoneId && pi.metadata.milestoneId !== intent.milestoneId) {
      log.warn({ paymentIntent: pi.id, metadata: pi.metadata, stored: intent.milestoneId }, 'payment intent metadata disagrees with the stored intent: the stored one wins');
    }
    return { intent, project: (await findProject(db, intent.projectId))! };
  }

  /** Stripe's processing fee on the charge, from its balance transaction: a platform expense in the ledger. */
  async function recordStripeFee(intent: DepositIntentRecord, chargeId: string): Promise<void> {
    const charge = await stripe.charges.retrieve(chargeId, { expand: ['balance_transaction'] });
    const fee = typeof charge.balance_transaction === 'object' && charge.balance_transaction ? charge.balance_transaction.fee : 0;
    if (fee <= 0) return;
    await postMovement(db, { idempotencyKey: `${intent.milestoneId}:psp_fee:${chargeId}`, projectId: intent.projectId, milestoneId: intent.milestoneId, currency: intent.currency, movement: { type: 'psp_fee', amount: fee } });
  }

  async function chargeback(event: Stripe.Event, dispute: Stripe.Dispute): Promise<string> {
    const intent = (dispute.payment_intent && (await findDepositIntent(db, idOf(dispute.payment_intent)!))) || (await findDepositIntentByCharge(db, idOf(dispute.charge)!));
    if (!intent) return 'ignored: a chargeback on a charge that is not a deposit';
    const project = (await findProject(db, intent.projectId))!;
    const incident = await raiseIncident(incidentDeps, { kind: 'chargeback', externalId: dispute.id, project, milestoneId: intent.milestoneId, amount: dispute.amount });
    const milestone = temporal.workflow.getHandle(milestoneWorkflowId(intent.milestoneId));
    const args = { incidentId: incident.id, chargebackId: dispute.id, amount: dispute.amount };
    // A milestone that has ended (or is ending) has nothing left to freeze: the money was paid out or refunded.
    const status = await milestone.query(statusQuery).catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    });
    const live = status !== undefined && !isFinal(status.state);
    switch (event.type) {
      case 'charge.dispute.created':
        if (!live) return 'applied: the milestone had ended';
        return (await endedIsIgnored(milestone.signal(chargebackSignal, { ...args, eventId: event.id, phase: 'opened' }))) ? 'applied' : 'applied: the milestone had ended';
      case 'charge.dispute.funds_withdrawn':
      case 'charge.dispute.funds_reinstated': {
        // Any event about an open chargeback freezes the milestone: its creation may come later, or never.
        if (live) await endedIsIgnored(milestone.signal(chargebackSignal, { ...args, eventId: `${event.id}:opened`, phase: 'opened' }));
        const withdrawn = event.type === 'charge.dispute.funds_withdrawn';
        const bt = dispute.balance_transactions.find((t) => (withdrawn ? t.amount < 0 : t.amount > 0));
        const amount = bt ? Math.abs(bt.amount) : dispute.amount;
        const fee = bt ? Math.abs(bt.fee) : 0;
        await reportToIncident(temporal, incident.id, { eventId: event.id, phase: withdrawn ? 'funds_withdrawn' : 'funds_reinstated', amount, fee });
        return 'applied';
      }
      case 'charge.dispute.closed': {
        const state = dispute.status === 'won' ? 'won' : dispute.status === 'lost' ? 'lost' : dispute.status === 'warning_closed' ? 'resolved' : undefined;
        if (!state) return `ignored: a chargeback closed as ${dispute.status}`;
        const phase = state === 'won' ? 'won' : state === 'lost' ? 'lost' : 'closed';
        const signalled = live && (await endedIsIgnored(milestone.signal(chargebackSignal, { ...args, eventId: event.id, phase })));
        const title = milestoneTitle(project, intent.milestoneId);
        const afterRelease = !signalled || status.inEscrow === 0;
        const explanation = explainIncident({ kind: 'chargeback', state, amount: dispute.amount, currency: project.currency, milestoneTitle: title, afterRelease });
        await closeIncident(db, incident.id, state, explanation);
        // The milestone books what it lost itself while it runs; once it has ended, the incident books the loss.
        const lossAfterEnd = state === 'lost' && !signalled ? dispute.amount : undefined;
        await reportToIncident(temporal, incident.id, { eventId: event.id, phase: 'closed', state, explanation, lossAfterEnd });
        return 'applied';
      }
      default:
        return 'ignored';
    }
  }

  /**
   * Our refund order behind a Stripe Refund: the id kept when it was made, else the order its metadata names (the
   * refund.created event may come before the activity that made the Refund has written its id down).
   */
  async function refundOrderOf(refund: Stripe.Refund): Promise<{ refundId: string; attempt?: number } | undefined> {
    const kept = await findProviderRefund(db, refund.id);
    if (kept) return kept;
    const order = /^(.+):(\d+)$/.exec(refund.metadata?.order ?? '');
    return order ? { refundId: order[1], attempt: Number(order[2]) } : undefined;
  }

  async function refundEvent(event: Stripe.Event, refund: Stripe.Refund): Promise<string> {
    const ours = await refundOrderOf(refund);
    if (!ours) return 'ignored: unknown refund';
    if (refund.status !== 'succeeded' && refund.status !== 'failed') return `ignored: refund ${refund.status}`;
    const signalled = await endedIsIgnored(
      temporal.workflow.getHandle(refundWorkflowId(ours.refundId)).signal(refundSettledSignal, {
        eventId: `${refund.id}:${refund.status}`,
        outcome: refund.status === 'succeeded' ? 'paid' : 'failed',
        reason: refund.status === 'failed' ? (clean(refund.failure_reason) ?? 'unspecified') : undefined,
        attempt: ours.attempt,
      }),
    );
    return signalled ? 'applied' : 'ignored: this refund has ended';
  }

  return async function apply(event: Stripe.Event): Promise<string> {
    switch (event.type) {
      case 'account.updated': {
        const account = event.data.object;
        const outcome = await setPayoutsEnabled(db, account.id, account.payouts_enabled === true, new Date(event.created * 1000));
        return outcome === 'applied' ? 'applied' : outcome === 'stale' ? 'ignored: older than the status already known' : 'ignored: unknown account';
      }
      case 'payment_intent.succeeded': {
        const pi = event.data.object;
        const found = await depositOf(pi);
        if (!found) return 'ignored: unknown payment intent';
        const { intent, project } = found;
        const charge = idOf(pi.latest_charge);
        await markDepositSucceeded(db, pi.id, charge ?? null, pi.amount_received);
        if (charge) await recordStripeFee(intent, charge);
        return deliverDeposit(temporal, taskQueue, { project, milestoneId: intent.milestoneId, eventId: event.id, amount: pi.amount_received, reference: pi.id });
      }
      case 'payment_intent.payment_failed': {
        const pi = event.data.object;
        const found = await depositOf(pi);
        if (!found) return 'ignored: unknown payment intent';
        const reason = clean(pi.last_payment_error?.message ?? pi.last_payment_error?.code);
        await raiseIncident(incidentDeps, { kind: 'deposit_failed', externalId: pi.id, project: found.project, milestoneId: found.intent.milestoneId, amount: pi.amount, reason });
        return 'applied';
      }
      case 'payout.paid':
      case 'payout.failed': {
        if (!event.account) return 'ignored: a payout of the platform account';
        const payout = event.data.object;
        const request = await findRequestByPayoutId(db, payout.id);
        if (!request) return 'ignored: unknown payout';
        const signalled = await endedIsIgnored(
          temporal.workflow.getHandle(milestoneWorkflowId(request.milestone_id)).signal(payoutSettledSignal, {
            eventId: event.id,
            payoutId: payout.id,
            outcome: event.type === 'payout.paid' ? 'paid' : 'failed',
            reason: event.type === 'payout.failed' ? (clean(payout.failure_message ?? payout.failure_code) ?? 'unspecified') : undefined,
          }),
        );
        return signalled ? 'applied' : 'ignored: the milestone of this payout has ended';
      }
      case 'refund.created':
      case 'refund.updated':
      case 'refund.failed':
      case 'charge.refund.updated':
        return refundEvent(event, event.data.object);
      case 'charge.dispute.created':
      case 'charge.dispute.funds_withdrawn':
      case 'charge.dispute.funds_reinstated':
      case 'charge.dispute.closed':
        return chargeback(event, event.data.object);
      default:
        return `ignored: ${event.type} is not acted on`;
    }
  };
}

