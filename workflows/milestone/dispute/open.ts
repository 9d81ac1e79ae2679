import { leanDispute, type DisputeView } from '../../../domain/dispute';
import { FailureType } from '../../../domain/failures';
import { LIMITS } from '../../../domain/limits';
import { otherParty, type Actor, type Party } from '../../../domain/parties';
import { handleUpdate, refuse } from '../../updates';
import { queued } from '../../serial';
import { openDisputeUpdate, withdrawDisputeUpdate } from '../contract';
import type { MilestoneCore } from '../core';
import { activeDispute, newId, nowIso } from './file';

/** Freezes the escrow and opens a dispute; the other party is invited to respond within the response window. */
export function openDispute(
  m: MilestoneCore,
  o: { party: Party; reason: string; statement: string; automatic?: boolean; actor?: Actor },
): DisputeView {
  const openedAt = Date.now();
  const deadline = new Date(openedAt + m.timing.disputeResponseWindowMs).toISOString();
  const respondent = otherParty(o.party);
  m.disputesOpened += 1;
  m.dispute = {
    id: newId('dsp'),
    milestoneId: m.input.milestoneId,
    projectId: m.input.projectId,
    state: 'open',
    openedBy: o.party,
    openedAutomatically: o.automatic ?? false,
    reason: o.reason,
    respondent,
    openedAt: new Date(openedAt).toISOString(),
    responseDeadline: deadline,
    previousState: m.state,
    inEscrow: m.inEscrow,
    currency: m.input.currency,
    statements: [{ by: o.party, userId: o.actor?.userId ?? m.partyInfo(o.party).id, kind: 'opening', text: o.statement, at: nowIso() }],
    proposals: [],
    informationRequests: [],
    reminders: [],
    version: 0,
  };
  queued(m.record('dispute_opened', { to: 'disputed', actor: o.actor, data: { disputeId: m.dispute.id, by: o.party, reason: o.reason, automatic: o.automatic ?? false } }));
  queued(m.saveDispute());
  queued(m.notify('dispute_opened', respondent, { amount: m.inEscrow, extra: { reason: o.reason, deadline } }));
  if (o.automatic) queued(m.notify('dispute_opened_for_provider', 'provider', { amount: m.inEscrow, extra: { deadline } }));
  return m.dispute;
}

/** A party declares a dispute on a funded or delivered milestone. */
export function registerOpening(m: MilestoneCore): void {
  handleUpdate(
    openDisputeUpdate,
    async ({ actor, reason, statement }) => {
      const dispute = openDispute(m, { party: m.partyOf(actor)!, reason, statement, actor });
      await m.effects.flush();
      return leanDispute(dispute);
    },
    {
      validator: ({ actor }) => {
        m.requireParty(actor, ['client', 'provider'], 'declare a dispute');
        m.requireState(['funded', 'delivered'], 'declare a dispute on');
        m.requireNotFrozen('declare a dispute on');
        if (m.disputesOpened >= LIMITS.disputesPerMilestone) {
          refuse(FailureType.LimitReached, `at most ${LIMITS.disputesPerMilestone} disputes may be declared on one milestone; write to the mediation service`);
        }
      },
    },
  );
}

/** The party who declared the dispute withdraws it: the milestone returns to the state it was in. */
export function registerWithdrawal(m: MilestoneCore): void {
  handleUpdate(
    withdrawDisputeUpdate,
    async ({ actor }) => {
      const d = m.dispute!;
      d.state = 'withdrawn';
      d.closedAt = nowIso();
      queued(m.record('dispute_withdrawn', { to: d.previousState, actor, data: { disputeId: d.id } }));
      queued(m.notify('dispute_withdrawn', otherParty(d.openedBy), { amount: m.inEscrow }));
      await m.saveDispute();
      return leanDispute(d);
    },
    {
      validator: ({ actor, disputeId }) => {
        const party = m.requireParty(actor, ['client', 'provider'], 'withdraw a dispute');
        const d = activeDispute(m, disputeId);
        if (party !== d.openedBy) refuse(FailureType.NotAllowed, 'only the party who declared the dispute may withdraw it');
      },
    },
  );
}
