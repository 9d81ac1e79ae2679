import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { findProject } from '../../db/projects';
import { LIMITS } from '../../domain/limits';
import { cancelUpdate, depositReceivedSignal, milestoneWorkflowId, statusQuery } from '../../workflows/milestone/contract';
import { acceptAmendmentUpdate, projectStatusQuery, proposeAmendmentUpdate } from '../../workflows/project/contract';
import { CLIENT, PROVIDER, seedProject } from '../helpers/fixtures';
import { drainRefunds, execute, refusal, startProject } from '../helpers/milestone-driver';
import { recordHistoryIfAsked } from '../helpers/record-history';

import { timeSkippingSuite, type WorkflowHarness } from '../helpers/workflow-env';

const suite = timeSkippingSuite();
let env: TestWorkflowEnvironment;
let h: WorkflowHarness;
beforeAll(() => {
  ({ env, h } = suite);
});

test('the project starts one workflow per milestone and finishes when every milestone is final', async () => {
  const project = await seedProject(h.db, [10000, 20000]);
  const { worker, taskQueue } = await h.worker(env);
  await worker.runUntil(async () => {
    const { handle, started } = await startProject(env, project, taskQueue);
    expect(started.milestones.every((m) => m.started)).toBe(true);

    const [first, second] = project.milestones.map((m) => env.client.workflow.getHandle(milestoneWorkflowId(m.id)));
    expect((await first.query(statusQuery)).state).toBe('awaiting_deposit');
    await execute(first, cancelUpdate, { args: [{ actor: { userId: CLIENT.id, role: 'client' } }] });
    expect((await handle.query(projectStatusQuery)).state).toBe('active');

    await second.signal(depositReceivedSignal, { eventId: 'd', amount: 20000, currency: 'EUR', reference: 'r' });
    await execute(second, cancelUpdate, { args: [{ actor: { userId: CLIENT.id, role: 'client' } }] });
    await execute(second, cancelUpdate, { args: [{ actor: { userId: PROVIDER.id, role: 'provider' } }] });

    const final = await handle.result();
    expect(final.state).toBe('finished');
    expect(final.milestones.map((m) => m.finalState)).toEqual(['cancelled', 'refunded']);
    await recordHistoryIfAsked(handle, 'project-two-milestones');
    await drainRefunds(env, project.milestones.map((m) => m.id));
  });
  expect((await findProject(h.db, project.id))?.state).toBe('finished');
});

test('amendments are bounded: at most 20 per project, and never past 100 milestones', async () => {
  const project = await seedProject(h.db, [10000]);
  const { worker, taskQueue } = await h.worker(env);
  await worker.runUntil(async () => {
    const { handle } = await startProject(env, project, taskQueue);
    const [client, provider] = [{ userId: CLIENT.id, role: 'client' as const }, { userId: PROVIDER.id, role: 'provider' as const }];
    const milestoneId = project.milestones[0].id;

    const adds = Array.from({ length: LIMITS.milestonesPerProject }, (_, i) => ({ add: { milestoneId: `ms_add${i}`, title: `Lot ${i}`, amount: 100 } }));
    const tooMany = () => handle.executeUpdate(proposeAmendmentUpdate, { args: [{ actor: client, amendmentId: 'amd_many', changes: adds }] });
    expect(await refusal(handle, tooMany)).toBe('LimitReached');

    for (let i = 0; i < LIMITS.amendmentsPerProject; i++) {
      const [by, other] = i % 2 === 0 ? [client, provider] : [provider, client];
      const amendmentId = `amd_${i}`;
      await execute(handle, proposeAmendmentUpdate, { args: [{ actor: by, amendmentId, changes: [{ milestoneId, amount: 10000 + i }] }] });
      expect((await execute(handle, acceptAmendmentUpdate, { args: [{ actor: other, amendmentId }] })).state).toBe('applied');
    }
    const oneMore = () => handle.executeUpdate(proposeAmendmentUpdate, { args: [{ actor: client, amendmentId: 'amd_last', changes: [{ milestoneId, amount: 500 }] }] });
    expect(await refusal(handle, oneMore)).toBe('LimitReached');

    await execute(env.client.workflow.getHandle(milestoneWorkflowId(milestoneId)), cancelUpdate, { args: [{ actor: client }] });
    expect((await handle.result()).amendments).toHaveLength(LIMITS.amendmentsPerProject);
  });
});
