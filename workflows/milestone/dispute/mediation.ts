import { leanDispute } from '../../../domain/dispute';
import { FailureType } from '../../../domain/failures';
import { LIMITS } from '../../../domain/limits';
import type { InformationRequest } from '../../../domain/dispute';
import { handleUpdate, refuse } from '../../updates';
import { queued } from '../../serial';
import { decideDisputeUpdate, requestInformationUpdate } from '../contract';
import type { MilestoneCore } from '../core';
import { activeDispute, newId, nowIso, pendingRequest, requireMediator } from './file';
import { resolve } from './resolve';

/** The mediation service (SMA) on an escalated dispute: asks a party for information, then decides the split. */
export function registerMediation(m: MilestoneCore): void {
  handleUpdate(
    requestInformationUpdate,
    async ({ actor, party, question }) => {
      const d = m.dispute!;
      const deadline = new Date(Date.now() + m.timing.disputeResponseWindowMs).toISOString();
      const request: InformationRequest = { id: newId('info'), party, question, by: actor.userId, at: nowIso(), deadline };
      d.informationRequests.push(request);
      queued(m.record('information_requested', { actor, data: { disputeId: d.id, party, requestId: request.id } }));
      queued(m.notify('information_requested', party, { amount: d.inEscrow, extra: { question, deadline } }));
      await m.saveDispute();
      return leanDispute(d);
    },
    {
      validator: ({ actor, party, disputeId }) => {
        requireMediator(actor, 'ask for information');
        const d = activeDispute(m, disputeId);
        if (d.state !== 'escalated') refuse(FailureType.InvalidState, 'information is requested once the dispute is with the mediation service');
        if (d.informationRequests.length >= LIMITS.informationRequestsPerDispute) {
          refuse(FailureType.LimitReached, `at most ${LIMITS.informationRequestsPerDispute} information requests per dispute`);
        }
        const pending = pendingRequest(d);
        if (pending) refuse(FailureType.InvalidState, `a request to the ${pending.party} is still waiting for its answer`);
        if (party !== 'client' && party !== 'provider') refuse(FailureType.BusinessRule, 'party is client or provider');
      },
    },
  );

  handleUpdate(
    decideDisputeUpdate,
    async ({ actor, providerAmount, clientAmount, rationale }) => {
      const d = m.dispute!;
      d.decision = { providerAmount, clientAmount, rationale, by: actor.userId, at: nowIso() };
      resolve(m, 'decided', providerAmount, clientAmount, actor);
      await m.effects.flush();
      return leanDispute(d);
    },
    {
      validator: ({ actor, providerAmount, clientAmount, disputeId }) => {
        requireMediator(actor, 'decide a dispute');
        const d = activeDispute(m, disputeId);
        if (d.state !== 'escalated') refuse(FailureType.InvalidState, 'a decision is made once the dispute is with the mediation service');
        const amounts = [providerAmount, clientAmount];
        if (!amounts.every((a) => Number.isSafeInteger(a) && a >= 0) || providerAmount + clientAmount !== m.inEscrow) {
          refuse(FailureType.BusinessRule, `providerAmount + clientAmount must equal the ${m.inEscrow} in escrow (got ${providerAmount} + ${clientAmount})`);
        }
      },
    },
  );
}
