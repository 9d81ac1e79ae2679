import { condition, setHandler, uuid4 } from '@temporalio/workflow';
import { FailureType, type Actor, type Party } from '../shared';
import { otherParty, refuse, type MilestoneCore } from './core';
import {
  acceptProposalUpdate,
  decideDisputeUpdate,
  disputeQuery,
  isDisputeActive,
  openDisputeUpdate,
  proposeSettlementUpdate,
  requestInformationUpdate,
  respondToDisputeUpdate,
  withdrawDisputeUpdate,
  type DisputeView,
  type InformationRequest,
} from './contract';
import { remindOnSchedule, waitWhile } from './reminders';

const newId = (prefix: string) => `${prefix}_${uuid4().replace(/-/g, '').slice(0, 20)}`;
const nowIso = () => new Date(Date.now()).toISOString();

/** Freezes the escrow and opens a dispute; the other party is invited to respond within the response window. */
export function openDispute(
  m: MilestoneCore,
  o: { party: Party; reason: string; statement: string; automatic?: boolean; actor?: Actor },
): DisputeView {
  const openedAt = Date.now();
  const deadline = new Date(openedAt + m.timing.disputeResponseWindowMs).toISOString();
  const respondent = otherParty(o.party);
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
  void m.record('dispute_opened', { to: 'disputed', actor: o.actor, data: { disputeId: m.dispute.id, by: o.party, reason: o.reason, automatic: o.automatic ?? false } });
  void m.saveDispute();
  void m.notify('dispute_opened', respondent, { amount: m.inEscrow, extra: { reason: o.reason, deadline } });
  if (o.automatic) void m.notify('dispute_opened_for_provider', 'provider', { amount: m.inEscrow, extra: { deadline } });
  return m.dispute;
}

/** Settlement or decision: releases the provider's part (in place of the client) and refunds the client's part. */
function resolve(m: MilestoneCore, how: 'settled' | 'decided', providerAmount: number, clientAmount: number, actor: Actor): void {
  const d = m.dispute!;
  d.state = how;
  d.closedAt = nowIso();
  const fees = providerAmount > 0 ? m.releaseToProvider(providerAmount) : undefined;
  if (clientAmount > 0) m.refundToClient(clientAmount, how === 'decided' ? 'sma_decision' : 'settlement');
  const to = providerAmount > 0 ? 'released' : 'refunded';
  const by = how === 'decided' ? 'sma' : 'settlement';
  void m.record(`dispute_${how}`, { to, actor, data: { disputeId: d.id, providerAmount, clientAmount, by, ...fees } });
  void m.saveDispute();
  const template = how === 'decided' ? 'dispute_decided' : 'dispute_settled';
  const extra = { providerAmount, clientAmount, rationale: d.decision?.rationale };
  void m.notify(template, 'client', { amount: providerAmount + clientAmount, extra });
  void m.notify(template, 'provider', { amount: providerAmount + clientAmount, extra });
}

export function registerDisputeHandlers(m: MilestoneCore): void {
  const active = (disputeId: string): DisputeView => {
    const d = m.dispute;
    if (!d || d.id !== disputeId || m.state !== 'disputed' || !isDisputeActive(d.state)) {
      return refuse(FailureType.InvalidState, `dispute ${disputeId} is not open on this milestone`);
    }
    return d;
  };
  const pendingRequestFor = (d: DisputeView, party: Party) => {
    const request = pendingRequest(d);
    return request?.party === party ? request : undefined;
  };
  const hasResponded = (d: DisputeView) => d.statements.some((s) => s.kind === 'response');
  const requireMediator = (actor: Actor, action: string) => {
    if (actor.role !== 'mediator') refuse(FailureType.NotAllowed, `only a mediator may ${action}`);
  };

  setHandler(disputeQuery, () => m.dispute);

  setHandler(
    openDisputeUpdate,
    async ({ actor, reason, statement }) => {
      const dispute = openDispute(m, { party: m.partyOf(actor)!, reason, statement, actor });
      await m.effects.flush();
      return dispute;
    },
    {
      validator: ({ actor }) => {
        m.requireParty(actor, ['client', 'provider'], 'declare a dispute');
        m.requireState(['funded', 'delivered'], 'declare a dispute on');
      },
    },
  );

  setHandler(
    respondToDisputeUpdate,
    async ({ actor, statement }) => {
      const d = m.dispute!;
      const party = m.partyOf(actor)!;
      const request = pendingRequestFor(d, party);
      if (request) request.answeredAt = nowIso();
      d.statements.push({ by: party, userId: actor.userId, kind: request ? 'information_answer' : 'response', text: statement, at: nowIso() });
      void m.record(request ? 'information_provided' : 'dispute_response', { actor, data: { disputeId: d.id } });
      if (!request) void m.notify('dispute_response', otherParty(party), { amount: d.inEscrow });
      await m.saveDispute();
      return d;
    },
    {
      validator: ({ actor, disputeId }) => {
        const party = m.requireParty(actor, ['client', 'provider'], 'respond to a dispute');
        const d = active(disputeId);
        if (pendingRequestFor(d, party)) return;
        if (party !== d.respondent) refuse(FailureType.NotAllowed, `only the ${d.respondent} responds to this dispute`);
        if (d.state !== 'open') refuse(FailureType.InvalidState, 'the response window is over: the dispute is with the mediation service');
        if (hasResponded(d)) refuse(FailureType.InvalidState, 'the response was already given');
      },
    },
  );

  setHandler(
    proposeSettlementUpdate,
    async ({ actor, providerAmount }) => {
      const d = m.dispute!;
      const party = m.partyOf(actor)!;
      for (const p of d.proposals) if (p.state === 'pending') p.state = 'superseded';
      const clientAmount = m.inEscrow - providerAmount;
      d.proposals.push({ id: newId('prop'), by: party, providerAmount, clientAmount, at: nowIso(), state: 'pending' });
      void m.record('settlement_proposed', { actor, data: { disputeId: d.id, providerAmount, clientAmount } });
      void m.notify('settlement_proposed', otherParty(party), { amount: m.inEscrow, extra: { providerAmount, clientAmount } });
      await m.saveDispute();
      return d;
    },
    {
      validator: ({ actor, providerAmount, disputeId }) => {
        m.requireParty(actor, ['client', 'provider'], 'propose a settlement');
        active(disputeId);
        if (!Number.isSafeInteger(providerAmount) || providerAmount < 0 || providerAmount > m.inEscrow) {
          refuse(FailureType.BusinessRule, `providerAmount must be between 0 and the ${m.inEscrow} in escrow`);
        }
      },
    },
  );

  setHandler(
    acceptProposalUpdate,
    async ({ actor, proposalId }) => {
      const d = m.dispute!;
      const proposal = d.proposals.find((p) => p.id === proposalId)!;
      proposal.state = 'accepted';
      d.settlement = { proposalId, providerAmount: proposal.providerAmount, clientAmount: proposal.clientAmount, at: nowIso() };
      resolve(m, 'settled', proposal.providerAmount, proposal.clientAmount, actor);
      await m.effects.flush();
      return d;
    },
    {
      validator: ({ actor, proposalId, disputeId }) => {
        const party = m.requireParty(actor, ['client', 'provider'], 'accept a settlement');
        const d = active(disputeId);
        const proposal = d.proposals.find((p) => p.id === proposalId);
        if (!proposal) return refuse(FailureType.BusinessRule, `no proposal ${proposalId} in this dispute`);
        if (proposal.state !== 'pending') refuse(FailureType.InvalidState, `this proposal is ${proposal.state}`);
        if (proposal.by === party) refuse(FailureType.NotAllowed, 'a proposal is accepted by the other party');
      },
    },
  );

  setHandler(
    requestInformationUpdate,
    async ({ actor, party, question }) => {
      const d = m.dispute!;
      const deadline = new Date(Date.now() + m.timing.disputeResponseWindowMs).toISOString();
      const request: InformationRequest = { id: newId('info'), party, question, by: actor.userId, at: nowIso(), deadline };
      d.informationRequests.push(request);
      void m.record('information_requested', { actor, data: { disputeId: d.id, party, requestId: request.id } });
      void m.notify('information_requested', party, { amount: d.inEscrow, extra: { question, deadline } });
      await m.saveDispute();
      return d;
    },
    {
      validator: ({ actor, party, disputeId }) => {
        requireMediator(actor, 'ask for information');
        const d = active(disputeId);
        if (d.state !== 'escalated') refuse(FailureType.InvalidState, 'information is requested once the dispute is with the mediation service');
        const pending = pendingRequest(d);
        if (pending) refuse(FailureType.InvalidState, `a request to the ${pending.party} is still waiting for its answer`);
        if (party !== 'client' && party !== 'provider') refuse(FailureType.BusinessRule, 'party is client or provider');
      },
    },
  );

  setHandler(
    decideDisputeUpdate,
    async ({ actor, providerAmount, clientAmount, rationale }) => {
      const d = m.dispute!;
      d.decision = { providerAmount, clientAmount, rationale, by: actor.userId, at: nowIso() };
      resolve(m, 'decided', providerAmount, clientAmount, actor);
      await m.effects.flush();
      return d;
    },
    {
      validator: ({ actor, providerAmount, clientAmount, disputeId }) => {
        requireMediator(actor, 'decide a dispute');
        const d = active(disputeId);
        if (d.state !== 'escalated') refuse(FailureType.InvalidState, 'a decision is made once the dispute is with the mediation service');
        const amounts = [providerAmount, clientAmount];
        if (!amounts.every((a) => Number.isSafeInteger(a) && a >= 0) || providerAmount + clientAmount !== m.inEscrow) {
          refuse(FailureType.BusinessRule, `providerAmount + clientAmount must equal the ${m.inEscrow} in escrow (got ${providerAmount} + ${clientAmount})`);
        }
      },
    },
  );

  setHandler(
    withdrawDisputeUpdate,
    async ({ actor }) => {
      const d = m.dispute!;
      d.state = 'withdrawn';
      d.closedAt = nowIso();
      void m.record('dispute_withdrawn', { to: d.previousState, actor, data: { disputeId: d.id } });
      void m.notify('dispute_withdrawn', otherParty(d.openedBy), { amount: m.inEscrow });
      await m.saveDispute();
      return d;
    },
    {
      validator: ({ actor, disputeId }) => {
        const party = m.requireParty(actor, ['client', 'provider'], 'withdraw a dispute');
        const d = active(disputeId);
        if (party !== d.openedBy) refuse(FailureType.NotAllowed, 'only the party who declared the dispute may withdraw it');
      },
    },
  );
}

/** The mediator's question still waiting for its answer (at most one at a time). */
const pendingRequest = (d: DisputeView) => d.informationRequests.find((r) => !r.answeredAt && !r.expiredAt);

/**
 * While disputed: the respondent is reminded until they answer; at the end of the response window, without
 * agreement, the dispute goes to the SMA queue; there, each information request gets its own window and reminders.
 */
export async function disputePhase(m: MilestoneCore): Promise<void> {
  const d = m.dispute!;
  const inDispute = () => m.state === 'disputed' && m.dispute === d;
  const open = () => inDispute() && d.state === 'open';
  const escalated = () => inDispute() && d.state === 'escalated';

  if (open()) {
    const deadline = Date.parse(d.responseDeadline);
    // A proposal from the respondent is an answer too.
    const unanswered = () => open() && !d.statements.some((s) => s.kind === 'response') && !d.proposals.some((p) => p.by === d.respondent);
    await remindOnSchedule(Date.parse(d.openedAt), m.timing.disputeReminderMs, unanswered, (n) => {
      void m.notify('dispute_reminder', d.respondent, {
        amount: d.inEscrow,
        extra: { n, deadline: d.responseDeadline },
        onlyIf: unanswered,
        timeline: { kind: 'dispute', n },
        onSent: () => {
          d.reminders.push({ to: d.respondent, about: 'response', n, at: nowIso() });
          void m.saveDispute();
        },
      });
    }, deadline);
    if (await waitWhile(open, deadline)) {
      d.state = 'escalated';
      d.escalatedAt = nowIso();
      void m.record('dispute_escalated', { data: { disputeId: d.id, answered: d.statements.some((s) => s.kind === 'response') } });
      void m.saveDispute();
      void m.notify('dispute_escalated', 'client', { amount: d.inEscrow });
      void m.notify('dispute_escalated', 'provider', { amount: d.inEscrow });
    }
  }

  while (escalated()) {
    const request = pendingRequest(d);
    if (!request) {
      const asked = d.informationRequests.length;
      await condition(() => !escalated() || d.informationRequests.length !== asked);
      continue;
    }
    const deadline = Date.parse(request.deadline);
    const unanswered = () => escalated() && !request.answeredAt;
    await remindOnSchedule(Date.parse(request.at), m.timing.disputeReminderMs, unanswered, (n) => {
      void m.notify('information_reminder', request.party, {
        amount: d.inEscrow,
        extra: { n, deadline: request.deadline, question: request.question },
        onlyIf: unanswered,
        timeline: { kind: 'information', n },
        onSent: () => {
          d.reminders.push({ to: request.party, about: 'information', n, at: nowIso() });
          void m.saveDispute();
        },
      });
    }, deadline);
    if (await waitWhile(unanswered, deadline)) {
      request.expiredAt = nowIso();
      void m.record('information_window_expired', { data: { disputeId: d.id, requestId: request.id, party: request.party } });
      void m.saveDispute();
    }
  }
  await condition(() => !inDispute());
}
