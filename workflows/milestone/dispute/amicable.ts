import { leanDispute } from '../../../domain/dispute';
import { FailureType } from '../../../domain/failures';
import { LIMITS } from '../../../domain/limits';
import { otherParty } from '../../../domain/parties';
import { handleUpdate, refuse } from '../../updates';
import { queued } from '../../serial';
import { acceptProposalUpdate, proposeSettlementUpdate, respondToDisputeUpdate } from '../contract';
import type { MilestoneCore } from '../core';
import { activeDispute, hasResponded, newId, nowIso, pendingRequestFor } from './file';
import { resolve } from './resolve';

/**
 * The parties' own moves: the respondent answers (or a party answers the mediator's question), either party
 * proposes a split, the other accepts it and the dispute is settled.
 */
export function registerAmicable(m: MilestoneCore): void {
  handleUpdate(
    respondToDisputeUpdate,
    async ({ actor, statement }) => {
      const d = m.dispute!;
      const party = m.partyOf(actor)!;
      const request = pendingRequestFor(d, party);
      if (request) request.answeredAt = nowIso();
      d.statements.push({ by: party, userId: actor.userId, kind: request ? 'information_answer' : 'response', text: statement, at: nowIso() });
      queued(m.record(request ? 'information_provided' : 'dispute_response', { actor, data: { disputeId: d.id } }));
      if (!request) queued(m.notify('dispute_response', otherParty(party), { amount: d.inEscrow }));
      await m.saveDispute();
      return leanDispute(d);
    },
    {
      validator: ({ actor, disputeId }) => {
        const party = m.requireParty(actor, ['client', 'provider'], 'respond to a dispute');
        const d = activeDispute(m, disputeId);
        if (pendingRequestFor(d, party)) return;
        if (party !== d.respondent) refuse(FailureType.NotAllowed, `only the ${d.respondent} responds to this dispute`);
        if (d.state !== 'open') refuse(FailureType.InvalidState, 'the response window is over: the dispute is with the mediation service');
        if (hasResponded(d)) refuse(FailureType.InvalidState, 'the response was already given');
      },
    },
  );

  handleUpdate(
    proposeSettlementUpdate,
    async ({ actor, providerAmount }) => {
      const d = m.dispute!;
      const party = m.partyOf(actor)!;
      for (const p of d.proposals) if (p.state === 'pending') p.state = 'superseded';
      const clientAmount = m.inEscrow - providerAmount;
      d.proposals.push({ id: newId('prop'), by: party, providerAmount, clientAmount, at: nowIso(), state: 'pending' });
      queued(m.record('settlement_proposed', { actor, data: { disputeId: d.id, providerAmount, clientAmount } }));
      queued(m.notify('settlement_proposed', otherParty(party), { amount: m.inEscrow, extra: { providerAmount, clientAmount } }));
      await m.saveDispute();
      return leanDispute(d);
    },
    {
      validator: ({ actor, providerAmount, disputeId }) => {
        m.requireParty(actor, ['client', 'provider'], 'propose a settlement');
        const d = activeDispute(m, disputeId);
        if (d.proposals.length >= LIMITS.settlementProposalsPerDispute) {
          refuse(FailureType.LimitReached, `at most ${LIMITS.settlementProposalsPerDispute} settlement proposals per dispute; accept one or wait for the mediation service`);
        }
        if (!Number.isSafeInteger(providerAmount) || providerAmount < 0 || providerAmount > m.inEscrow) {
          refuse(FailureType.BusinessRule, `providerAmount must be between 0 and the ${m.inEscrow} in escrow`);
        }
      },
    },
  );

  handleUpdate(
    acceptProposalUpdate,
    async ({ actor, proposalId }) => {
      const d = m.dispute!;
      const proposal = d.proposals.find((p) => p.id === proposalId)!;
      proposal.state = 'accepted';
      d.settlement = { proposalId, providerAmount: proposal.providerAmount, clientAmount: proposal.clientAmount, at: nowIso() };
      resolve(m, 'settled', proposal.providerAmount, proposal.clientAmount, actor);
      await m.effects.flush();
      return leanDispute(d);
    },
    {
      validator: ({ actor, proposalId, disputeId }) => {
        const party = m.requireParty(actor, ['client', 'provider'], 'accept a settlement');
        const d = activeDispute(m, disputeId);
        const proposal = d.proposals.find((p) => p.id === proposalId);
        if (!proposal) return refuse(FailureType.BusinessRule, `no proposal ${proposalId} in this dispute`);
        if (proposal.state !== 'pending') refuse(FailureType.InvalidState, `this proposal is ${proposal.state}`);
        if (proposal.by === party) refuse(FailureType.NotAllowed, 'a proposal is accepted by the other party');
        // a lost chargeback may have taken part of the escrow since the proposal was made
        if (proposal.providerAmount + proposal.clientAmount !== m.inEscrow) {
          refuse(FailureType.InvalidState, `this proposal shares ${proposal.providerAmount + proposal.clientAmount}, and ${m.inEscrow} is in escrow now: propose again`);
        }
      },
    },
  );
}
