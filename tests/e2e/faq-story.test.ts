/**
 * The FAQ's story, through HTTP only: the work is delivered, the client stays silent through the reminders, the
 * provider declares a dispute, the client stays silent again, the dispute goes to the SMA, the mediator rules for the
 * provider and releases the money in place of the client, and the provider invoices and is paid.
 * Schedules are seconds here instead of days: the workflow tests skip the real ones with the time-skipping server.
 */
import { CLIENT, PDF, PROVIDER, uniq } from '../helpers/fixtures';
import { startE2eSystem, type E2eSystem } from '../helpers/e2e-system';
import { eventually } from '../helpers/temporal';

let sys: E2eSystem;
beforeAll(async () => {
  sys = await startE2eSystem({
    RELEASE_REMINDER_SCHEDULE: '1s,2s',
    CLIENT_SILENCE_GRACE: '1s',
    DISPUTE_RESPONSE_WINDOW: '3s',
    DISPUTE_REMINDER_SCHEDULE: '1s,2s',
    PAYOUT_DELAY: '1s',
    PAYOUT_CALENDAR: 'any',
  });
}, 90000);
afterAll(() => sys?.stop());

test('client silent, reminders, dispute, escalation, SMA releases in place of the client, invoice, paid', async () => {
  const { call, mail } = sys;
  const title = uniq('Refonte');
  const created = await call('POST', '/v1/projects', [CLIENT.id, 'client'], {
    externalId: uniq('pel'), title, formula: 'r0', currency: 'EUR', client: CLIENT, provider: PROVIDER,
    milestones: [{ title: 'Livraison finale', amount: 250000 }],
    commissionRate: 0,
    escrowFeeRate: 0,
  });
  expect(created.status).toBe(201);
  const projectId = created.body.id;
  const ms = `/v1/projects/${projectId}/milestones/${created.body.milestones[0].id}`;
  const about = (to: string, subject: string) => (m: { to: string[]; subject: string; text: string }) => m.to.includes(to) && m.subject.startsWith(subject) && m.text.includes(title);

  await sys.deposit(created.body.milestones[0].id, 250000);
  await mail.waitFor(about(PROVIDER.email, 'Échéance financée'));
  expect((await call('POST', `${ms}/complete`, [PROVIDER.id, 'provider'])).body.state).toBe('delivered');

  // The client stays silent: two reminders, then the provider is told they may declare a dispute.
  await mail.waitFor(about(CLIENT.email, 'Rappel 1 : libérez le paiement'));
  await mail.waitFor(about(CLIENT.email, 'Rappel 2 : libérez le paiement'));
  const silent = await mail.waitFor(about(PROVIDER.email, 'Client sans réponse'));
  expect(silent.text).toContain('déclarer un litige');

  const dispute = await call('POST', `${ms}/disputes`, [PROVIDER.id, 'provider'], { reason: 'Client sans réponse', statement: 'Le site est en ligne depuis trois semaines.' });
  expect(dispute.status).toBe(201);
  const d = `/v1/disputes/${dispute.body.id}`;
  await mail.waitFor(about(CLIENT.email, 'Litige déclaré'));

  // The client stays silent again: reminded, then the dispute goes to the SMA queue.
  await mail.waitFor(about(CLIENT.email, 'Rappel 1 : litige en attente de votre réponse'));
  await mail.waitFor(about(CLIENT.email, 'Rappel 2 : litige en attente de votre réponse'));
  await mail.waitFor(about(PROVIDER.email, 'Litige transmis au Service Médiation & Arbitrage'));
  const queue = await call('GET', '/v1/mediation/disputes?state=escalated', ['med-1', 'mediator']);
  expect(queue.body.items.map((i: { id: string }) => i.id)).toContain(dispute.body.id);
  expect((await sys.summaryMatchingLedger(projectId)).milestones[0]).toMatchObject({ state: 'disputed', inEscrow: 250000, released: 0 });

  const decision = await call('POST', `${d}/decision`, ['med-1', 'mediator'], { providerAmount: 250000, clientAmount: 0, rationale: 'Le travail livré est conforme au devis.' });
  expect(decision.status).toBe(200);
  const ruling = await mail.waitFor(about(PROVIDER.email, 'Décision du Service Médiation & Arbitrage'));
  expect(ruling.text).toContain('2 500,00 € sont libérés au prestataire à la place du client');
  await mail.waitFor(about(CLIENT.email, 'Décision du Service Médiation & Arbitrage'));
  expect((await sys.summaryMatchingLedger(projectId)).milestones[0]).toMatchObject({ state: 'released', released: 250000, inEscrow: 0, paidOut: 0 });

  const form = new FormData();
  form.append('invoice', new Blob([PDF], { type: 'application/pdf' }), 'facture.pdf');
  form.append('invoiceNumber', uniq('FAC'));
  form.append('amount', '250000');
  expect((await call('POST', `${ms}/payment-requests`, [PROVIDER.id, 'provider'], form)).status).toBe(201);
  await eventually(async () => ((await sys.summaryMatchingLedger(projectId)).milestones[0].state === 'paid' ? true : undefined), 30000, 'paid');
  expect((await sys.summaryMatchingLedger(projectId)).milestones[0]).toMatchObject({ deposited: 250000, released: 250000, paidOut: 250000, refunded: 0, inEscrow: 0 });
  await mail.waitFor(about(PROVIDER.email, 'Paiement effectué'));

  const shown = await call('GET', d, [CLIENT.id, 'client']);
  expect(shown.body).toMatchObject({ state: 'decided', decision: { providerAmount: 250000, clientAmount: 0 } });
  expect(shown.body.reminders).toHaveLength(2);
  const events = (await call('GET', `${ms}/timeline`, [CLIENT.id, 'client'])).body.events.map((e: { type: string }) => e.type);
  expect(events).toEqual([
    'deposit_received', 'funded', 'work_delivered', 'reminder_sent', 'reminder_sent', 'client_silent',
    'dispute_opened', 'reminder_sent', 'reminder_sent', 'dispute_escalated', 'dispute_decided',
    'payment_requested', 'payout_ordered', 'paid',
  ]);
});
