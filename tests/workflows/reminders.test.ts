import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { milestoneFigures } from '../../db/ledger';
import { findDispute } from '../../db/disputes';
import {
  cancelUpdate,
  decideDisputeUpdate,
  openDisputeUpdate,
  releaseUpdate,
  requestPaymentUpdate,
  statusQuery,
} from '../../workflows/milestone/contract';
import { CLIENT, PROVIDER, storedInvoice, uniq } from '../helpers/fixtures';
import { client, count, DAY, disputeIdOf, execute, fund, fundAndDeliver, kinds, mediator, provider, type Scenario, settleAndTerminate, startScenario } from '../helpers/milestone-driver';
import { eventually } from '../helpers/temporal';
import { timeSkippingSuite, type WorkflowHarness } from '../helpers/workflow-env';

const suite = timeSkippingSuite();
let env: TestWorkflowEnvironment;
let h: WorkflowHarness;
beforeAll(() => {
  ({ env, h } = suite);
});

const withWorker = (body: (taskQueue: string) => Promise<void>) => suite.withWorker(body);

const mailsAbout = (s: Scenario) => h.mail.messages.filter((m) => m.text.includes(s.project.title));
/** Waits until exactly `n` notices of `kind` were recorded for the scenario. */
const noticesReach = (s: Scenario, kind: string, n: number) =>
  eventually(async () => ((count(await s.notices(), kind)) === n ? true : undefined), 10000, `${n} × ${kind}`);

describe('deposit reminders', () => {
  test('the client is reminded at 3, 7 and 14 days, by e-mail, feed and timeline, then never again', async () => {
    await withWorker(async (taskQueue) => {
      const s = await startScenario(env, h.db, taskQueue);
      await env.sleep(4 * DAY);
      await noticesReach(s, 'deposit_reminder', 1);
      await env.sleep(30 * DAY);
      await noticesReach(s, 'deposit_reminder', 3);
      const notices = await s.notices();
      expect(notices).toEqual([1, 2, 3].map(() => ({ kind: 'deposit_reminder', userId: CLIENT.id })));
      expect((await s.timeline()).filter((t) => t === 'reminder_sent')).toHaveLength(3);
      await eventually(() => (mailsAbout(s).length === 3 ? true : undefined));
      expect(mailsAbout(s).map((m) => m.subject)).toEqual([1, 2, 3].map((n) => `Rappel ${n} : échéance à financer : Échéance 1`));
      expect(mailsAbout(s)[0].text).toContain('1 200,00 €');
      expect(mailsAbout(s)[0].html).toContain('<p>');

      await fund(s);
      await env.sleep(30 * DAY);
      expect(count(await s.notices(), 'deposit_reminder')).toBe(3);
      await settleAndTerminate(s.handle);
    });
  });

  test('a partial deposit is reminded for what is still due', async () => {
    await withWorker(async (taskQueue) => {
      const s = await startScenario(env, h.db, taskQueue, 100000);
      await fund(s, 40000);
      await env.sleep(4 * DAY);
      await noticesReach(s, 'deposit_reminder', 1);
      await eventually(() => (mailsAbout(s).length === 1 ? true : undefined));
      expect(mailsAbout(s)[0].text).toContain('attend encore 600,00 €');
      await settleAndTerminate(s.handle);
    });
  });
});

describe('release reminders and the client-silence policy', () => {
  test('notify_provider (default): four reminders to the client, then the provider is told they may dispute', async () => {
    await withWorker(async (taskQueue) => {
      const s = await startScenario(env, h.db, taskQueue);
      await fundAndDeliver(s);
      await env.sleep(15 * DAY);
      await noticesReach(s, 'release_reminder', 4);
      expect(count(await s.notices(), 'client_silent')).toBe(0); // the grace period runs two more days
      await env.sleep(2 * DAY);
      await noticesReach(s, 'client_silent', 1);
      const notices = await s.notices();
      expect(notices.filter((n) => n.kind === 'client_silent')).toEqual([{ kind: 'client_silent', userId: PROVIDER.id }]);
      expect(notices.filter((n) => n.kind === 'release_reminder').every((n) => n.userId === CLIENT.id)).toBe(true);
      await eventually(() => (mailsAbout(s).some((m) => m.subject.startsWith('Client sans réponse')) ? true : undefined));
      const reminder = mailsAbout(s).find((m) => m.subject.startsWith('Rappel 4 : libérez le paiement'))!;
      expect(reminder.text).toMatch(/Sans action de votre part d'ici le .+, le prestataire pourra déclarer un litige/);
      expect((await s.timeline()).slice(-1)).toEqual(['client_silent']);
      expect((await s.handle.query(statusQuery)).state).toBe('delivered');

      await env.sleep(60 * DAY);
      expect(await s.notices()).toHaveLength(notices.length);
      await settleAndTerminate(s.handle);
    });
  });

  test('open_dispute: the dispute opens by itself on the provider’s behalf', async () => {
    await withWorker(async (taskQueue) => {
      const s = await startScenario(env, h.db, taskQueue, 120000, { clientSilencePolicy: 'open_dispute' });
      await fundAndDeliver(s);
      await env.sleep(16 * DAY + 1000);
      const status = await eventually(async () => {
        const st = await s.handle.query(statusQuery);
        return st.state === 'disputed' ? st : undefined;
      });
      const dispute = await eventually(() => findDispute(h.db, status.disputeId!));
      expect(dispute).toMatchObject({ openedBy: 'provider', openedAutomatically: true, respondent: 'client', reason: 'client_silent', state: 'open' });
      await noticesReach(s, 'dispute_opened_for_provider', 1);
      await noticesReach(s, 'dispute_opened', 1);
      await settleAndTerminate(s.handle);
    });
  });

  test('auto_release: the escrow is released to the provider after the review period', async () => {
    await withWorker(async (taskQueue) => {
      const s = await startScenario(env, h.db, taskQueue, 90000, { clientSilencePolicy: 'auto_release' });
      await fundAndDeliver(s);
      await env.sleep(16 * DAY + 1000);
      await eventually(async () => ((await s.handle.query(statusQuery)).state === 'released' ? true : undefined));
      await noticesReach(s, 'auto_released', 1);
      await noticesReach(s, 'funds_released', 1);
      expect((await milestoneFigures(h.db, s.project.id)).get(s.input.milestoneId)).toMatchObject({ released: 90000, inEscrow: 0 });
      await settleAndTerminate(s.handle);
    });
  });
});

describe('nothing is sent after a milestone leaves the state a reminder was about, or ends', () => {
  /**
   * Waits for the notices the exit itself sends (`exitNotices`, delivered by mail too), then skips well past every
   * schedule and expects no new notice but those allowed.
   */
  async function expectSilenceAfter(s: Scenario, exitNotices: string[], allowedAfter: string[] = []): Promise<void> {
    for (const kind of exitNotices) await eventually(async () => (kinds(await s.notices()).includes(kind) ? true : undefined), 10000, kind);
    await eventually(async () => (mailsAbout(s).length === (await s.notices()).length ? true : undefined), 10000, 'mails delivered');
    const before = (await s.notices()).length;
    const mailsBefore = mailsAbout(s).length;
    await env.sleep(90 * DAY);
    const after = (await s.notices()).slice(before);
    expect(kinds(after).filter((k) => !allowedAfter.includes(k))).toEqual([]);
    expect(mailsAbout(s).length - mailsBefore).toBe(after.length);
  }

  test('cancel before funding', async () => {
    await withWorker(async (taskQueue) => {
      const s = await startScenario(env, h.db, taskQueue);
      await env.sleep(4 * DAY);
      await noticesReach(s, 'deposit_reminder', 1);
      await execute(s.handle, cancelUpdate, { args: [{ actor: client }] });
      expect(await s.handle.result()).toBe('cancelled');
      await expectSilenceAfter(s, ['milestone_cancelled']);
      expect(count(await s.notices(), 'deposit_reminder')).toBe(1);
    });
  });

  test('release', async () => {
    await withWorker(async (taskQueue) => {
      const s = await startScenario(env, h.db, taskQueue);
      await fundAndDeliver(s);
      await env.sleep(3 * DAY);
      await noticesReach(s, 'release_reminder', 1);
      await execute(s.handle, releaseUpdate, { args: [{ actor: client }] });
      await expectSilenceAfter(s, ['funds_released']);
      expect(count(await s.notices(), 'release_reminder')).toBe(1);
      await settleAndTerminate(s.handle);
    });
  });

  test('dispute: release reminders stop, only the dispute’s own notices follow; after the decision, nothing', async () => {
    await withWorker(async (taskQueue) => {
      const s = await startScenario(env, h.db, taskQueue);
      await fundAndDeliver(s);
      await env.sleep(3 * DAY);
      await noticesReach(s, 'release_reminder', 1);
      await execute(s.handle, openDisputeUpdate, { args: [{ actor: provider, reason: 'client_silent', statement: 'Travail livré, aucune réponse.' }] });
      await expectSilenceAfter(s, ['dispute_opened'], ['dispute_reminder', 'dispute_escalated']);
      expect(count(await s.notices(), 'release_reminder')).toBe(1);
      expect(count(await s.notices(), 'dispute_reminder')).toBe(2);
      await execute(s.handle, decideDisputeUpdate, { args: [{ actor: mediator, disputeId: await disputeIdOf(s), providerAmount: 0, clientAmount: 120000, rationale: 'Travail non conforme.' }] });
      expect(await s.handle.result()).toBe('refunded');
      await expectSilenceAfter(s, ['dispute_decided']);
    });
  });

  test('paid', async () => {
    await withWorker(async (taskQueue) => {
      const s = await startScenario(env, h.db, taskQueue, 30000);
      await fundAndDeliver(s);
      await execute(s.handle, releaseUpdate, { args: [{ actor: client }] });
      const invoiceId = await storedInvoice(h.db, s.input.milestoneId, uniq('F'));
      await execute(s.handle, requestPaymentUpdate, { args: [{ actor: provider, paymentRequestId: uniq('pr'), invoiceId, invoiceNumber: uniq('F'), amount: 30000 }] });
      expect(await s.handle.result()).toBe('paid');
      await expectSilenceAfter(s, ['payout_paid']);
    });
  });

  test('refunded by mutual cancellation', async () => {
    await withWorker(async (taskQueue) => {
      const s = await startScenario(env, h.db, taskQueue);
      await fundAndDeliver(s);
      await execute(s.handle, cancelUpdate, { args: [{ actor: client }] });
      await execute(s.handle, cancelUpdate, { args: [{ actor: provider }] });
      expect(await s.handle.result()).toBe('refunded');
      await expectSilenceAfter(s, ['milestone_refunded']);
      expect(count(await s.notices(), 'release_reminder')).toBe(0);
    });
  });
});
