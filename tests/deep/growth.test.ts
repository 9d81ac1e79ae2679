import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { findDispute } from '../../db/disputes';
import { HISTORY_BOUND, LIMITS } from '../../domain/limits';
import type { Actor } from '../../domain/parties';
import {
  cancelUpdate,
  decideDisputeUpdate,
  openDisputeUpdate,
  proposeSettlementUpdate,
  requestInformationUpdate,
  requestPaymentUpdate,
  respondToDisputeUpdate,
  withdrawDisputeUpdate,
} from '../../workflows/milestone/contract';
import { storedInvoice, uniq } from '../helpers/fixtures';
import { client, count, DAY, disputeIdOf, execute, fundAndDeliver, mediator, provider, refusal, type Scenario, settleAndTerminate, startScenario } from '../helpers/milestone-driver';
import { timeSkippingSuite, type WorkflowHarness } from '../helpers/workflow-env';

const suite = timeSkippingSuite();
let env: TestWorkflowEnvironment;
let h: WorkflowHarness;
beforeAll(() => {
  ({ env, h } = suite);
});

// The largest texts the API accepts (disputes.schemas.ts), in a 3-byte UTF-8 character: the most bytes per character.
const text = (chars: number) => '€'.repeat(chars);
const STATEMENT = text(5000);

const open = (s: Scenario, by: Actor) =>
  execute(s.handle, openDisputeUpdate, { args: [{ actor: by, reason: text(200), statement: STATEMENT }] });

/** Every settlement proposal a dispute takes, alternating parties; the next one is refused. */
async function proposeToTheLimit(s: Scenario, disputeId: string): Promise<void> {
  for (let i = 0; i < LIMITS.settlementProposalsPerDispute; i++) {
    const by = i % 2 === 0 ? client : provider;
    await execute(s.handle, proposeSettlementUpdate, { args: [{ actor: by, disputeId, providerAmount: 1000 + i }] });
  }
  const beyond = () => s.handle.executeUpdate(proposeSettlementUpdate, { args: [{ actor: provider, disputeId, providerAmount: 1 }] });
  expect(await refusal(s.handle, beyond)).toBe('LimitReached');
}

async function historySize(s: Scenario): Promise<{ events: number; bytes: number }> {
  const history = await s.handle.fetchHistory();
  return { events: history.events?.length ?? 0, bytes: temporal.api.history.v1.History.encode(history).finish().length };
}

test('a hostile pair of parties cannot grow a milestone past the history bound, nor its e-mails past a fixed count', async () => {
  await suite.withWorker(async (taskQueue) => {
    const s = await startScenario(env, h.db, taskQueue);
    await fundAndDeliver(s);
    await execute(s.handle, cancelUpdate, { args: [{ actor: client }] });
    expect(await refusal(s.handle, () => s.handle.executeUpdate(cancelUpdate, { args: [{ actor: client }] }))).toBe('InvalidState');

    // Disputes declared and withdrawn, each with a response and every proposal it takes.
    for (let round = 1; round < LIMITS.disputesPerMilestone; round++) {
      const { id } = await open(s, provider);
      await execute(s.handle, respondToDisputeUpdate, { args: [{ actor: client, disputeId: id, statement: STATEMENT }] });
      await proposeToTheLimit(s, id);
      await execute(s.handle, withdrawDisputeUpdate, { args: [{ actor: provider, disputeId: id }] });
    }

    // The last one goes to the mediation service, which asks every question it may; each gets the longest answer.
    const { id } = await open(s, client);
    expect(await refusal(s.handle, () => s.handle.executeUpdate(openDisputeUpdate, { args: [{ actor: provider, reason: 'x', statement: 'y' }] }))).toBe('InvalidState');
    await proposeToTheLimit(s, id);
    await env.sleep(6 * DAY);
    for (let i = 0; i < LIMITS.informationRequestsPerDispute; i++) {
      const party = i % 2 === 0 ? 'client' : 'provider';
      await execute(s.handle, requestInformationUpdate, { args: [{ actor: mediator, disputeId: id, party, question: text(2000) }] });
      await execute(s.handle, respondToDisputeUpdate, { args: [{ actor: party === 'client' ? client : provider, disputeId: id, statement: STATEMENT }] });
    }
    const oneMore = () => s.handle.executeUpdate(requestInformationUpdate, { args: [{ actor: mediator, disputeId: id, party: 'client', question: 'encore ?' }] });
    expect(await refusal(s.handle, oneMore)).toBe('LimitReached');

    // The milestone then ends as it must: decided, invoiced, paid.
    await execute(s.handle, decideDisputeUpdate, { args: [{ actor: mediator, disputeId: id, providerAmount: 120000, clientAmount: 0, rationale: text(5000) }] });
    const invoiceNumber = uniq('F');
    const invoiceId = await storedInvoice(h.db, s.input.milestoneId, invoiceNumber);
    await execute(s.handle, requestPaymentUpdate, { args: [{ actor: provider, paymentRequestId: uniq('pr'), invoiceId, invoiceNumber, amount: 120000 }] });
    expect(await s.handle.result()).toBe('paid');

    // The texts left every snapshot but the first, not the file.
    const file = await findDispute(h.db, id);
    expect(file?.statements.map((st) => st.text)).toEqual(Array(1 + LIMITS.informationRequestsPerDispute).fill(STATEMENT));
    expect(file?.informationRequests.every((r) => r.question === text(2000))).toBe(true);

    const size = await historySize(s);
    console.log(`hostile milestone: ${size.events} events, ${size.bytes} bytes, ${(await s.notices()).length} notices`);
    expect(size.events).toBeLessThanOrEqual(HISTORY_BOUND.events);
    expect(size.bytes).toBeLessThanOrEqual(HISTORY_BOUND.bytes);

    const notices = await s.notices();
    expect(count(notices, 'settlement_proposed')).toBe(LIMITS.disputesPerMilestone * LIMITS.settlementProposalsPerDispute);
    expect(count(notices, 'cancel_requested')).toBe(1);
    // 62 measured: each proposal, answer, reminder and phase tells one party once.
    expect(notices.length).toBeLessThanOrEqual(70);
  });
});

test('a third dispute on one milestone is refused, and a withdrawn one still counts', async () => {
  await suite.withWorker(async (taskQueue) => {
    const s = await startScenario(env, h.db, taskQueue);
    await fundAndDeliver(s);
    for (let round = 0; round < LIMITS.disputesPerMilestone; round++) {
      await open(s, client);
      await execute(s.handle, withdrawDisputeUpdate, { args: [{ actor: client, disputeId: await disputeIdOf(s) }] });
    }
    expect(await refusal(s.handle, () => s.handle.executeUpdate(openDisputeUpdate, { args: [{ actor: provider, reason: 'x', statement: 'y' }] }))).toBe('LimitReached');
    await settleAndTerminate(s.handle);
  });
});
