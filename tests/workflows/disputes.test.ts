import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { findDispute } from '../../db/disputes';
import { milestoneFigures } from '../../db/ledger';
import { listProviderRequests } from '../../db/payment-requests';
import {
  acceptProposalUpdate,
  cancelUpdate,
  completeUpdate,
  decideDisputeUpdate,
  disputeQuery,
  openDisputeUpdate,
  proposeSettlementUpdate,
  releaseUpdate,
  requestInformationUpdate,
  requestPaymentUpdate,
  respondToDisputeUpdate,
  statusQuery,
  withdrawDisputeUpdate,
} from '../../workflows/milestone/contract';
import type { Actor } from '../../domain/parties';
import { PROVIDER, storedInvoice, uniq } from '../helpers/fixtures';
import { client, count, DAY, disputeIdOf, execute, fund, fundAndDeliver, mediator, provider, refusal, type Scenario, settleAndTerminate, startScenario } from '../helpers/milestone-driver';
import { recordHistoryIfAsked } from '../helpers/record-history';
import { eventually } from '../helpers/temporal';
import { timeSkippingSuite, type WorkflowHarness } from '../helpers/workflow-env';

const suite = timeSkippingSuite();
let env: TestWorkflowEnvironment;
let h: WorkflowHarness;
beforeAll(() => {
  ({ env, h } = suite);
});

const withWorker = (body: (taskQueue: string) => Promise<void>) => suite.withWorker(body);

const open = (s: Scenario, by: Actor = provider) =>
  execute(s.handle, openDisputeUpdate, { args: [{ actor: by, reason: 'client_silent', statement: 'Le travail est livré.' }] });
const escalatedInReadModel = (disputeId: string) =>
  eventually(async () => ((await findDispute(h.db, disputeId))?.state === 'escalated' ? true : undefined), 10000, 'escalated');
const noticesReach = (s: Scenario, kind: string, n: number) =>
  eventually(async () => (count(await s.notices(), kind) === n ? true : undefined), 10000, `${n} × ${kind}`);

async function requestAndGetPaid(s: Scenario, amount: number): Promise<void> {
  const invoiceId = await storedInvoice(h.db, s.input.milestoneId, uniq('F'));
  await execute(s.handle, requestPaymentUpdate, { args: [{ actor: provider, paymentRequestId: uniq('pr'), invoiceId, invoiceNumber: uniq('F'), amount }] });
  expect(await s.handle.result()).toBe('paid');
}

test('the respondent answers in time: no reminder; without agreement the dispute still escalates at the deadline', async () => {
  await withWorker(async (taskQueue) => {
    const s = await startScenario(env, h.db, taskQueue);
    await fundAndDeliver(s);
    const dispute = await open(s);
    expect(dispute).toMatchObject({ state: 'open', openedBy: 'provider', respondent: 'client', inEscrow: 120000 });
    expect((await findDispute(h.db, dispute.id))?.state).toBe('open');
    await env.sleep(DAY);
    await execute(s.handle, respondToDisputeUpdate, { args: [{ actor: client, disputeId: await disputeIdOf(s), statement: 'Le travail est incomplet.' }] });
    await noticesReach(s, 'dispute_response', 1);
    await env.sleep(5 * DAY);
    await escalatedInReadModel(dispute.id);
    const escalated = (await findDispute(h.db, dispute.id))!;
    expect(escalated.reminders).toEqual([]);
    expect(escalated.statements.map((st) => [st.by, st.kind])).toEqual([['provider', 'opening'], ['client', 'response']]);
    await noticesReach(s, 'dispute_escalated', 2);
    expect(count(await s.notices(), 'dispute_reminder')).toBe(0);
    await settleAndTerminate(s.handle);
  });
});

test('a silent respondent is reminded at 2 and 4 days, then the dispute enters the SMA queue at 5 days', async () => {
  await withWorker(async (taskQueue) => {
    const s = await startScenario(env, h.db, taskQueue);
    await fundAndDeliver(s);
    const dispute = await open(s);
    await env.sleep(4 * DAY + 1000);
    await noticesReach(s, 'dispute_reminder', 2);
    expect((await findDispute(h.db, dispute.id))?.state).toBe('open');
    await env.sleep(DAY);
    await escalatedInReadModel(dispute.id);
    const d = (await findDispute(h.db, dispute.id))!;
    expect(d.reminders.map((r) => [r.to, r.about, r.n])).toEqual([['client', 'response', 1], ['client', 'response', 2]]);
    expect(d.escalatedAt).toBeDefined();
    expect(await refusal(s.handle, async () => s.handle.executeUpdate(respondToDisputeUpdate, { args: [{ actor: client, disputeId: await disputeIdOf(s), statement: 'trop tard' }] }))).toBe('InvalidState');
    await settleAndTerminate(s.handle);
  });
});

test('amicable settlement: a proposal accepted by the other party releases and refunds the two parts', async () => {
  await withWorker(async (taskQueue) => {
    const s = await startScenario(env, h.db, taskQueue);
    await fundAndDeliver(s);
    await open(s, client);
    const first = await execute(s.handle, proposeSettlementUpdate, { args: [{ actor: client, disputeId: await disputeIdOf(s), providerAmount: 50000 }] });
    const second = await execute(s.handle, proposeSettlementUpdate, { args: [{ actor: provider, disputeId: await disputeIdOf(s), providerAmount: 80000 }] });
    expect(second.proposals.map((p) => p.state)).toEqual(['superseded', 'pending']);
    expect(await refusal(s.handle, async () => s.handle.executeUpdate(acceptProposalUpdate, { args: [{ actor: client, disputeId: await disputeIdOf(s), proposalId: first.proposals[0].id }] }))).toBe('InvalidState');
    expect(await refusal(s.handle, async () => s.handle.executeUpdate(acceptProposalUpdate, { args: [{ actor: provider, disputeId: await disputeIdOf(s), proposalId: second.proposals[1].id }] }))).toBe('NotAllowed');
    const settled = await execute(s.handle, acceptProposalUpdate, { args: [{ actor: client, disputeId: await disputeIdOf(s), proposalId: second.proposals[1].id }] });
    expect(settled).toMatchObject({ state: 'settled', settlement: { providerAmount: 80000, clientAmount: 40000 } });
    expect(await s.handle.query(statusQuery)).toMatchObject({ state: 'released', released: 80000, refunded: 40000, inEscrow: 0 });
    await noticesReach(s, 'dispute_settled', 2);
    await requestAndGetPaid(s, 80000);
    expect((await milestoneFigures(h.db, s.project.id)).get(s.input.milestoneId)).toMatchObject({ deposited: 120000, released: 80000, refunded: 40000, inEscrow: 0, paidOut: 80000 });
  });
});

test.each([
  ['for the provider', 120000, 0, 'paid'],
  ['split', 70000, 50000, 'paid'],
  ['for the client', 0, 120000, 'refunded'],
] as const)('SMA decision %s: executed through the ledger, both parties told', async (_name, providerAmount, clientAmount, final) => {
  await withWorker(async (taskQueue) => {
    const s = await startScenario(env, h.db, taskQueue);
    await fundAndDeliver(s);
    const dispute = await open(s);
    expect(await refusal(s.handle, async () => s.handle.executeUpdate(decideDisputeUpdate, { args: [{ actor: mediator, disputeId: await disputeIdOf(s), providerAmount, clientAmount, rationale: 'tôt' }] }))).toBe('InvalidState');
    await env.sleep(5 * DAY + 1000);
    await escalatedInReadModel(dispute.id);
    expect(await refusal(s.handle, async () => s.handle.executeUpdate(decideDisputeUpdate, { args: [{ actor: mediator, disputeId: await disputeIdOf(s), providerAmount: 1, clientAmount: 1, rationale: 'x' }] }))).toBe('BusinessRule');
    expect(await refusal(s.handle, async () => s.handle.executeUpdate(decideDisputeUpdate, { args: [{ actor: client, disputeId: await disputeIdOf(s), providerAmount, clientAmount, rationale: 'x' }] }))).toBe('NotAllowed');
    const decided = await execute(s.handle, decideDisputeUpdate, { args: [{ actor: mediator, disputeId: await disputeIdOf(s), providerAmount, clientAmount, rationale: 'Au vu des pièces.' }] });
    expect(decided).toMatchObject({ state: 'decided', decision: { providerAmount, clientAmount, by: mediator.userId } });
    await noticesReach(s, 'dispute_decided', 2);
    if (final === 'paid') await requestAndGetPaid(s, providerAmount);
    else expect(await s.handle.result()).toBe('refunded');
    const figures = (await milestoneFigures(h.db, s.project.id)).get(s.input.milestoneId);
    expect(figures).toMatchObject({ deposited: 120000, released: providerAmount, refunded: clientAmount, inEscrow: 0, paidOut: providerAmount });
    if (providerAmount === 70000) await recordHistoryIfAsked(s.handle, 'milestone-dispute-sma-split');
  });
});

test('information requests reopen a window with reminders; an unanswered one expires', async () => {
  await withWorker(async (taskQueue) => {
    const s = await startScenario(env, h.db, taskQueue);
    await fundAndDeliver(s);
    const dispute = await open(s);
    await execute(s.handle, respondToDisputeUpdate, { args: [{ actor: client, disputeId: await disputeIdOf(s), statement: 'Non conforme.' }] });
    expect(await refusal(s.handle, async () => s.handle.executeUpdate(requestInformationUpdate, { args: [{ actor: mediator, disputeId: await disputeIdOf(s), party: 'client', question: 'Quoi ?' }] }))).toBe('InvalidState');
    await env.sleep(5 * DAY + 1000);
    await escalatedInReadModel(dispute.id);

    await execute(s.handle, requestInformationUpdate, { args: [{ actor: mediator, disputeId: await disputeIdOf(s), party: 'client', question: 'Quels défauts précisément ?' }] });
    expect(await refusal(s.handle, async () => s.handle.executeUpdate(requestInformationUpdate, { args: [{ actor: mediator, disputeId: await disputeIdOf(s), party: 'provider', question: 'Et vous ?' }] }))).toBe('InvalidState');
    await noticesReach(s, 'information_requested', 1);
    await env.sleep(3 * DAY);
    await noticesReach(s, 'information_reminder', 1);
    await execute(s.handle, respondToDisputeUpdate, { args: [{ actor: client, disputeId: await disputeIdOf(s), statement: 'La page contact ne marche pas.' }] });

    await execute(s.handle, requestInformationUpdate, { args: [{ actor: mediator, disputeId: await disputeIdOf(s), party: 'provider', question: 'Pouvez-vous corriger ?' }] });
    await env.sleep(6 * DAY);
    await noticesReach(s, 'information_reminder', 3);
    const d = await eventually(async () => {
      const snapshot = await s.handle.query(disputeQuery);
      return snapshot?.informationRequests[1]?.expiredAt ? snapshot : undefined;
    });
    expect(d.informationRequests.map((r) => [r.party, Boolean(r.answeredAt), Boolean(r.expiredAt)])).toEqual([['client', true, false], ['provider', false, true]]);
    expect(d.statements.map((st) => st.kind)).toEqual(['opening', 'response', 'information_answer']);
    expect(d.reminders.map((r) => [r.to, r.about, r.n])).toEqual([['client', 'information', 1], ['provider', 'information', 1], ['provider', 'information', 2]]);
    expect((await s.timeline()).filter((t) => t.startsWith('information'))).toEqual(['information_requested', 'information_provided', 'information_requested', 'information_window_expired']);
    await settleAndTerminate(s.handle);
  });
});

test('withdrawal returns the milestone to where it was; release reminders start again from then', async () => {
  await withWorker(async (taskQueue) => {
    const s = await startScenario(env, h.db, taskQueue);
    await fundAndDeliver(s);
    const dispute = await open(s, client);
    expect(await refusal(s.handle, async () => s.handle.executeUpdate(withdrawDisputeUpdate, { args: [{ actor: provider, disputeId: await disputeIdOf(s) }] }))).toBe('NotAllowed');
    await env.sleep(3 * DAY);
    const withdrawn = await execute(s.handle, withdrawDisputeUpdate, { args: [{ actor: client, disputeId: await disputeIdOf(s) }] });
    expect(withdrawn.state).toBe('withdrawn');
    expect(await s.handle.query(statusQuery)).toMatchObject({ state: 'delivered', inEscrow: 120000 });
    await noticesReach(s, 'dispute_withdrawn', 1);
    expect(count(await s.notices(), 'release_reminder')).toBe(0);
    await env.sleep(2 * DAY + 1000);
    await noticesReach(s, 'release_reminder', 1);
    expect((await findDispute(h.db, dispute.id))?.state).toBe('withdrawn');
    await settleAndTerminate(s.handle);
  });
});

test('while a dispute is open the funds are frozen and every action out of turn is refused', async () => {
  await withWorker(async (taskQueue) => {
    const s = await startScenario(env, h.db, taskQueue);
    expect(await refusal(s.handle, async () => open(s))).toBe('InvalidState'); // not funded yet
    await fund(s);
    await open(s, client);
    expect(await refusal(s.handle, async () => open(s))).toBe('InvalidState');
    expect(await refusal(s.handle, async () => s.handle.executeUpdate(releaseUpdate, { args: [{ actor: client }] }))).toBe('InvalidState');
    expect(await refusal(s.handle, async () => s.handle.executeUpdate(cancelUpdate, { args: [{ actor: client }] }))).toBe('InvalidState');
    expect(await refusal(s.handle, async () => s.handle.executeUpdate(completeUpdate, { args: [{ actor: provider }] }))).toBe('InvalidState');
    expect(await refusal(s.handle, async () => s.handle.executeUpdate(respondToDisputeUpdate, { args: [{ actor: client, disputeId: await disputeIdOf(s), statement: 'moi' }] }))).toBe('NotAllowed');
    expect(await refusal(s.handle, async () => s.handle.executeUpdate(proposeSettlementUpdate, { args: [{ actor: provider, disputeId: await disputeIdOf(s), providerAmount: 120001 }] }))).toBe('BusinessRule');
    const stranger: Actor = { userId: 'p-9', role: 'provider' };
    expect(await refusal(s.handle, async () => s.handle.executeUpdate(proposeSettlementUpdate, { args: [{ actor: stranger, disputeId: await disputeIdOf(s), providerAmount: 1 }] }))).toBe('NotAllowed');
    expect(await refusal(s.handle, async () => s.handle.executeUpdate(acceptProposalUpdate, { args: [{ actor: provider, disputeId: await disputeIdOf(s), proposalId: 'prop_nope' }] }))).toBe('BusinessRule');
    expect((await s.handle.query(statusQuery)).inEscrow).toBe(120000);
    expect((await listProviderRequests(h.db, PROVIDER.id)).filter((r) => r.milestoneId === s.input.milestoneId)).toEqual([]);
    await settleAndTerminate(s.handle);
  });
});
