/** Own file, own time-skipping server: these milestones wait months. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { FUNDS_HOLD_ALARM_DAYS } from '../../domain/incidents';
import { releaseUpdate } from '../../workflows/milestone/contract';
import { client, DAY, execute, fund, startScenario } from '../helpers/milestone-driver';
import { recordHistoryIfAsked } from '../helpers/record-history';
import { eventually } from '../helpers/temporal';
import { STAFF_EMAIL, timeSkippingSuite, type WorkflowHarness } from '../helpers/workflow-env';

const suite = timeSkippingSuite();
let env: TestWorkflowEnvironment;
let h: WorkflowHarness;
beforeAll(() => {
  ({ env, h } = suite);
});

const hold = { fundsHoldAlarmMs: FUNDS_HOLD_ALARM_DAYS * DAY };

test('money held 75 days after funding alarms the finance staff; not once it has left escrow, nor without the limit', async () => {
  await suite.withWorker(async (taskQueue) => {
    const still = await startScenario(env, h.db, taskQueue, 50000, hold);
    const released = await startScenario(env, h.db, taskQueue, 50000, hold);
    const unlimited = await startScenario(env, h.db, taskQueue, 50000);
    for (const s of [still, released, unlimited]) await fund(s);
    await execute(released.handle, releaseUpdate, { args: [{ actor: client }] });
    await env.sleep(FUNDS_HOLD_ALARM_DAYS * DAY + 1000);

    const mail = await h.mail.waitFor((m) => m.to.includes(STAFF_EMAIL) && m.subject === `[finance] Fonds en séquestre depuis 75 jours : ${still.input.milestoneId}`);
    expect(mail.text).toMatch(/détient 50000 EUR/);
    await eventually(async () => ((await still.timeline()).includes('funds_hold_alarm') ? true : undefined), 15000, 'on the timeline');
    const alarms = h.mail.messages.filter((m) => m.subject.includes('Fonds en séquestre')).map((m) => m.subject);
    expect(alarms).toEqual([mail.subject]);
    expect(await released.timeline()).not.toContain('funds_hold_alarm');
    expect(await unlimited.timeline()).not.toContain('funds_hold_alarm');
    // Without the limit in its input, the milestone records no funds-hold patch marker: no alarm commands.
    const patchIds = (history: Awaited<ReturnType<typeof unlimited.handle.fetchHistory>>) =>
      (history.events ?? []).flatMap((e) => {
        const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
        return data ? [JSON.parse(Buffer.from(data).toString()).id as string] : [];
      });
    expect(patchIds(await still.handle.fetchHistory())).toContain('funds-hold-alarm');
    expect(patchIds(await unlimited.handle.fetchHistory())).not.toContain('funds-hold-alarm');
    for (const s of [still, unlimited]) await execute(s.handle, releaseUpdate, { args: [{ actor: client }] });
    await recordHistoryIfAsked(still.handle, 'milestone-funds-hold-alarm');
  });
});
