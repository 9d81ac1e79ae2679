/**
 * E-mail through the outbox, against real PostgreSQL and a real SMTP listener. A worker that dies mid-activity is
 * played by a send that never returns: that attempt never runs another line, as after a SIGKILL, while the activity's
 * retry runs beside it.
 */
import { noticeActivities } from '../../activities/notices';
import type { Mailer } from '../../activities/mail/mailer';
import { MailInFlight } from '../../activities/mail/send-once';
import { listNotifications } from '../../db/notifications';
import type { Db } from '../../db/pool';
import type { MailCatcher } from '../../dev/mail-catcher';
import type { NoticeRequest } from '../../workflows/activities/contract';
import { seedProject, uniq } from '../helpers/fixtures';
import { eventually } from '../helpers/temporal';
import { workflowHarness, type WorkflowHarness } from '../helpers/workflow-env';

let h: WorkflowHarness;
let db: Db;
let mail: MailCatcher;
let smtp: Mailer;

beforeAll(async () => {
  h = await workflowHarness();
  ({ db, mail, mailer: smtp } = h);
});
afterAll(() => h.close());

const never = new Promise<never>(() => undefined);
/** The same SMTP mailer, but its send is replaced. */
const mailerWith = (send: Mailer['send']): Mailer => ({ ...smtp, send });

async function notice(): Promise<NoticeRequest> {
  const project = await seedProject(db, [120000]);
  const to = uniq('party');
  return {
    key: uniq('notice'),
    template: 'funds_released',
    to: { id: to, email: `${to}@example.test`, name: 'Prestataire' },
    data: { projectTitle: 'Site', milestoneTitle: 'Maquettes', amount: 120000, currency: 'EUR' },
    refs: { projectId: project.id, milestoneId: project.milestones[0].id },
  };
}

const outboxRow = async (key: string) =>
  (await db.query<{ state: string; attempts: number; message_id: string; claimed_at: Date | null }>('SELECT state, attempts, message_id, claimed_at FROM sent_emails WHERE key = $1', [key])).rows[0];
const received = (request: NoticeRequest) => mail.messages.filter((m) => m.to.includes(request.to.email!));

/** The activity's retry, as Temporal runs it: again while another attempt holds the mail, until it completes. */
const retry = (run: () => Promise<void>) =>
  eventually(() => run().then(() => true, (err: unknown) => {
    if (err instanceof MailInFlight) return undefined;
    throw err;
  }), 15000, 'the retry completes');

test('a notice writes its feed entry and its mail together, and sends it once under a Message-ID from its key', async () => {
  const request = await notice();
  const activities = noticeActivities({ db, mailer: smtp, staffEmail: 'finance@escrow.test' });
  await activities.notify(request);
  await activities.notify(request);
  const [first] = await Promise.all([mail.waitFor((m) => m.to.includes(request.to.email!))]);
  expect(first.messageId).toBe(smtp.messageIdFor(request.key));
  expect(await outboxRow(request.key)).toMatchObject({ state: 'sent', attempts: 1, message_id: smtp.messageIdFor(request.key) });
  expect((await listNotifications(db, request.to.id, 10)).map((n) => n.kind)).toEqual(['funds_released']);
  // a later mail to the same address arrives, proving a second copy of the first would have by now
  await activities.notify({ ...request, key: uniq('notice'), template: 'payout_paid' });
  await mail.waitFor((m) => m.to.includes(request.to.email!) && m.subject.startsWith('Paiement effectué'));
  expect(received(request)).toHaveLength(2);
});

test('a worker that dies after the SMTP server took the mail: the retry sends it again, under the same Message-ID', async () => {
  const request = await notice();
  const dying = noticeActivities({ db, mailer: mailerWith(async (m) => { await smtp.send(m); await never; }), staffEmail: 'f@x.test', mailLeaseSeconds: 1 });
  void dying.notify(request);
  await mail.waitFor((m) => m.to.includes(request.to.email!));
  expect(await outboxRow(request.key)).toMatchObject({ state: 'pending', attempts: 1 });

  const retried = noticeActivities({ db, mailer: smtp, staffEmail: 'f@x.test', mailLeaseSeconds: 1 });
  const inFlight = await retried.notify(request).then(() => undefined, (err: unknown) => err);
  expect(inFlight).toBeInstanceOf(MailInFlight);
  // retried by Temporal when the lease expires (at most its 1 s here), not on the activity's backoff
  expect((inFlight as MailInFlight).nextRetryDelay).toBeLessThanOrEqual(1000);
  await retry(() => retried.notify(request));
  await eventually(() => (received(request).length === 2 ? true : undefined), 10000, 'the second copy');
  expect(new Set(received(request).map((m) => m.messageId))).toEqual(new Set([smtp.messageIdFor(request.key)]));
  expect(await outboxRow(request.key)).toMatchObject({ state: 'sent', attempts: 2 });
  expect(await listNotifications(db, request.to.id, 10)).toHaveLength(1);
});

test('a worker that dies after claiming the mail, before sending it: the retry sends it once', async () => {
  const request = await notice();
  const dying = noticeActivities({ db, mailer: mailerWith(() => never), staffEmail: 'f@x.test', mailLeaseSeconds: 1 });
  void dying.notify(request);
  await eventually(async () => ((await outboxRow(request.key))?.claimed_at ? true : undefined), 10000, 'claimed');

  const retried = noticeActivities({ db, mailer: smtp, staffEmail: 'f@x.test', mailLeaseSeconds: 1 });
  await retry(() => retried.notify(request));
  await mail.waitFor((m) => m.to.includes(request.to.email!));
  await retried.notify(request);
  await retried.notify({ ...request, key: uniq('notice'), template: 'payout_paid' });
  await mail.waitFor((m) => m.to.includes(request.to.email!) && m.subject.startsWith('Paiement effectué'));
  expect(received(request).filter((m) => m.messageId === smtp.messageIdFor(request.key))).toHaveLength(1);
  expect(await outboxRow(request.key)).toMatchObject({ state: 'sent', attempts: 2 });
});

test('SMTP unreachable: the attempt gives its lease back and the retry sends at once; a 5xx refusal is final', async () => {
  const down = await notice();
  const unreachable = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  await expect(noticeActivities({ db, mailer: mailerWith(() => Promise.reject(unreachable)), staffEmail: 'f@x.test' }).notify(down)).rejects.toBe(unreachable);
  expect(await outboxRow(down.key)).toMatchObject({ state: 'pending', claimed_at: null });
  await noticeActivities({ db, mailer: smtp, staffEmail: 'f@x.test' }).notify(down);
  await mail.waitFor((m) => m.to.includes(down.to.email!));

  const refused = await notice();
  const unknownMailbox = Object.assign(new Error('550 no such user'), { responseCode: 550 });
  await noticeActivities({ db, mailer: mailerWith(() => Promise.reject(unknownMailbox)), staffEmail: 'f@x.test' }).notify(refused);
  await noticeActivities({ db, mailer: smtp, staffEmail: 'f@x.test' }).notify(refused);
  expect(await outboxRow(refused.key)).toMatchObject({ state: 'refused' });
  expect(await listNotifications(db, refused.to.id, 10)).toHaveLength(1);
  expect(received(refused)).toHaveLength(0);
});

test('only the latest claim writes back: an attempt that outlived its lease cannot undo or refuse what the retry sent', async () => {
  const request = await notice();
  let failLate: (err: Error) => void = () => undefined;
  const late = noticeActivities({ db, mailer: mailerWith(() => new Promise((_resolve, reject) => (failLate = reject))), staffEmail: 'f@x.test', mailLeaseSeconds: 1 });
  const first = late.notify(request);
  await eventually(async () => ((await outboxRow(request.key))?.claimed_at ? true : undefined), 10000, 'claimed');

  await retry(() => noticeActivities({ db, mailer: smtp, staffEmail: 'f@x.test', mailLeaseSeconds: 1 }).notify(request));
  expect(await outboxRow(request.key)).toMatchObject({ state: 'sent', attempts: 2 });
  failLate(Object.assign(new Error('550 mailbox unavailable'), { responseCode: 550 }));
  await first;
  expect(await outboxRow(request.key)).toMatchObject({ state: 'sent', attempts: 2 });
  expect(received(request)).toHaveLength(1);
});

test('a reminder whose notice an earlier attempt wrote is delivered even if the milestone has moved on since', async () => {
  const request = { ...(await notice()), template: 'release_reminder' as const, onlyWhileState: 'awaiting_deposit' };
  const setState = (state: string) => db.query('UPDATE milestones SET state = $2 WHERE id = $1', [request.refs.milestoneId, state]);
  void noticeActivities({ db, mailer: mailerWith(() => never), staffEmail: 'f@x.test', mailLeaseSeconds: 1 }).notify(request);
  await eventually(async () => ((await outboxRow(request.key))?.claimed_at ? true : undefined), 10000, 'queued');
  await setState('funded');
  await retry(() => noticeActivities({ db, mailer: smtp, staffEmail: 'f@x.test', mailLeaseSeconds: 1 }).notify(request));
  await mail.waitFor((m) => m.to.includes(request.to.email!));
  expect(await outboxRow(request.key)).toMatchObject({ state: 'sent' });

  // A reminder about a state the milestone has left, never written before, is dropped: no feed entry, no mail.
  const stale = { ...request, key: uniq('notice') };
  await noticeActivities({ db, mailer: smtp, staffEmail: 'f@x.test' }).notify(stale);
  expect(await outboxRow(stale.key)).toBeUndefined();
  expect(await listNotifications(db, request.to.id, 10)).toHaveLength(1);
});

test('a notice that names its party by id only (as workflows do) goes to the address the project holds', async () => {
  const project = await seedProject(db, [120000]);
  const request: NoticeRequest = {
    key: uniq('notice'),
    template: 'funds_released',
    to: { id: project.provider.id },
    party: 'provider',
    data: { projectTitle: 'Site', milestoneTitle: 'Maquettes', amount: 120000, currency: 'EUR' },
    refs: { projectId: project.id, milestoneId: project.milestones[0].id },
  };
  await noticeActivities({ db, mailer: smtp, staffEmail: 'f@x.test' }).notify(request);
  const sent = await mail.waitFor((m) => m.messageId === smtp.messageIdFor(request.key));
  expect(sent.to).toContain(project.provider.email);
  expect(sent.text).toContain(project.provider.name);
  // an id the project does not have on that side is refused for good: a retry would read the same rows
  const wrong = { ...request, key: uniq('notice'), to: { id: project.client.id } };
  await expect(noticeActivities({ db, mailer: smtp, staffEmail: 'f@x.test' }).notify(wrong)).rejects.toMatchObject({ nonRetryable: true, type: 'UnknownParty' });
});
