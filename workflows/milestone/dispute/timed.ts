import { condition } from '@temporalio/workflow';
import type { DisputeReminder, DisputeView } from '../../../domain/dispute';
import type { Party } from '../../../domain/parties';
import { queued } from '../../serial';
import type { MilestoneCore } from '../core';
import { remindOnSchedule, waitWhile } from '../reminders';
import { nowIso, pendingRequest } from './file';

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
    // A proposal from the respondent is an answer too.
    const unanswered = () => open() && !d.statements.some((s) => s.kind === 'response') && !d.proposals.some((p) => p.by === d.respondent);
    await remindWhileUnanswered(m, d, { about: 'response', party: d.respondent, from: d.openedAt, deadline: d.responseDeadline, unanswered });
    if (await waitWhile(open, Date.parse(d.responseDeadline))) {
      d.state = 'escalated';
      d.escalatedAt = nowIso();
      queued(m.record('dispute_escalated', { data: { disputeId: d.id, answered: d.statements.some((s) => s.kind === 'response') } }));
      queued(m.saveDispute());
      queued(m.notify('dispute_escalated', 'client', { amount: d.inEscrow }));
      queued(m.notify('dispute_escalated', 'provider', { amount: d.inEscrow }));
    }
  }

  while (escalated()) {
    const request = pendingRequest(d);
    if (!request) {
      const asked = d.informationRequests.length;
      await condition(() => !escalated() || d.informationRequests.length !== asked);
      continue;
    }
    const unanswered = () => escalated() && !request.answeredAt;
    const { party, at, deadline, question } = request;
    await remindWhileUnanswered(m, d, { about: 'information', party, from: at, deadline, question, unanswered });
    if (await waitWhile(unanswered, Date.parse(deadline))) {
      request.expiredAt = nowIso();
      queued(m.record('information_window_expired', { data: { disputeId: d.id, requestId: request.id, party: request.party } }));
      queued(m.saveDispute());
    }
  }
  await condition(() => !inDispute());
}

const REMINDERS = {
  response: { template: 'dispute_reminder', kind: 'dispute' },
  information: { template: 'information_reminder', kind: 'information' },
} as const;

/**
 * Reminds a party on the dispute reminder schedule, from `from` and before `deadline`, while `unanswered()` holds:
 * the respondent about the dispute, or the party a mediator asked about the question. Each reminder sent joins the
 * dispute's file.
 */
async function remindWhileUnanswered(
  m: MilestoneCore,
  d: DisputeView,
  o: { about: DisputeReminder['about']; party: Party; from: string; deadline: string; question?: string; unanswered: () => boolean },
): Promise<void> {
  const { template, kind } = REMINDERS[o.about];
  await remindOnSchedule(Date.parse(o.from), m.timing.disputeReminderMs, o.unanswered, (n) => {
    queued(
      m.notify(template, o.party, {
        amount: d.inEscrow,
        extra: { n, deadline: o.deadline, question: o.question },
        onlyIf: o.unanswered,
        timeline: { kind, n },
        onSent: () => {
          d.reminders.push({ to: o.party, about: o.about, n, at: nowIso() });
          queued(m.saveDispute());
        },
      }),
    );
  }, Date.parse(o.deadline));
}
