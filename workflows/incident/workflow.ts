import { condition, patched, setHandler } from '@temporalio/workflow';
import type { IncidentKind } from '../../domain/incidents';
import type { Movement } from '../../domain/ledger';
import type { NotificationKind } from '../../domain/notifications';
import type { Party } from '../../domain/parties';
import { activities } from '../activities/proxies';
import { publish } from '../search-attributes';
import { incidentEventSignal, type IncidentEvent, type IncidentInput } from './contract';

/** Who hears of an incident from here; payout and refund failures are already told by their own workflows. */
const TOLD: Record<IncidentKind, { parties: Party[]; staff: boolean; closing: boolean }> = {
  chargeback: { parties: ['client', 'provider'], staff: true, closing: true },
  // a later payment that succeeds speaks for itself
  deposit_failed: { parties: ['client'], staff: false, closing: false },
  payout_failed: { parties: [], staff: false, closing: false },
  refund_failed: { parties: [], staff: false, closing: false },
};

/**
 * One payment incident: tells the parties and the finance staff, puts it on the milestone's timeline, moves the money
 * the payment provider took or gave back (a chargeback's funds), and ends when the incident closes.
 */
export async function incidentWorkflow(input: IncidentInput): Promise<string> {
  const { incidentId, kind, externalId, milestoneId, projectId, currency } = input;
  if (patched('search-attributes')) {
    publish({ ProjectId: projectId, ClientId: input.client.id, ProviderId: input.provider.id }, { projectTitle: input.projectTitle, milestoneTitle: input.milestoneTitle });
  }
  type Money = Extract<IncidentEvent, { phase: 'funds_withdrawn' | 'funds_reinstated' }>;
  const reported: Partial<Record<Money['phase'], Money>> = {};
  let closed: Extract<IncidentEvent, { phase: 'closed' }> | undefined;
  // Each phase once, in whatever order Stripe sends them: money events may come after the outcome.
  setHandler(incidentEventSignal, (e) => {
    if (e.phase === 'closed') closed ??= e;
    else reported[e.phase] ??= e;
  });
  const booked = { withdrawn: false, reinstated: false };
  const toBook = () => (reported.funds_withdrawn && !booked.withdrawn) || (reported.funds_reinstated && booked.withdrawn && !booked.reinstated);
  /** The outcome is known and the money Stripe moved for it is booked: lost, the funds left; won, they came back. */
  const settled = () => {
    if (!closed) return false;
    if (closed.state === 'lost') return booked.withdrawn;
    if (closed.state === 'won') return !booked.withdrawn || booked.reinstated;
    return true;
  };

  const told = TOLD[kind];
  const tell = async (template: NotificationKind, step: string, explanation: string) => {
    for (const party of told.parties) {
      const to = { id: (party === 'client' ? input.client : input.provider).id };
      await activities.notify({
        key: `${incidentId}:${step}:${party}`,
        template,
        to,
        party,
        data: { projectTitle: input.projectTitle, milestoneTitle: input.milestoneTitle, amount: input.amount, currency, reason: explanation },
        refs: { projectId, milestoneId },
      });
    }
    if (told.staff) {
      await activities.notifyStaff({ key: `${incidentId}:${step}:staff`, subject: `Incident de paiement ${kind} (${externalId}) : ${step}`, text: `${explanation}\nÉchéance ${milestoneId}, projet ${projectId}.` });
    }
  };
  const move = (step: string, movement: Movement) =>
    activities.moveMoney({ idempotencyKey: `${milestoneId}:${kind}:${externalId}:${step}`, projectId, milestoneId, currency, movement });

  await activities.recordEvent({ milestoneId, key: `${incidentId}:opened`, type: 'incident_opened', data: { incidentId, kind, amount: input.amount } });
  // Money does not wait for the mail: what the provider takes or gives back is booked as it is reported.
  const opening = tell('payment_incident', 'opened', input.explanation);

  for (;;) {
    await condition(() => Boolean(toBook()) || settled());
    const { funds_withdrawn: withdrawn, funds_reinstated: reinstated } = reported;
    if (withdrawn && !booked.withdrawn) {
      await move('withdrawn', { type: 'chargeback_withdrawn', amount: withdrawn.amount, fee: withdrawn.fee });
      booked.withdrawn = true;
    } else if (reinstated && booked.withdrawn && !booked.reinstated) {
      await move('reinstated', { type: 'chargeback_reinstated', amount: reinstated.amount, fee: reinstated.fee });
      booked.reinstated = true;
    } else if (settled()) {
      break;
    }
  }
  if (!closed) throw new Error('unreachable: settled without an outcome');
  await opening;
  if (closed.lossAfterEnd) await move('lost', { type: 'chargeback_lost', escrow: 0, escrowFee: 0, loss: closed.lossAfterEnd });
  await activities.recordEvent({ milestoneId, key: `${incidentId}:closed`, type: 'incident_closed', data: { incidentId, kind, state: closed.state } });
  if (told.closing) await tell('payment_incident_closed', 'closed', closed.explanation);
  return closed.state;
}
