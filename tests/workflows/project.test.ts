import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { findProject } from '../../db/projects';
import { cancelUpdate, depositReceivedSignal, milestoneWorkflowId, statusQuery } from '../../workflows/milestone/contract';
import { milestonesStartedUpdate, projectStatusQuery, projectWorkflowId } from '../../workflows/project/contract';
import { projectWorkflow } from '../../workflows/project/workflow';
import { CLIENT, PROVIDER, milestoneInput, seedProject } from '../helpers/fixtures';
import { drainRefunds, execute } from '../helpers/milestone-driver';
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
    const handle = await env.client.workflow.start(projectWorkflow, {
      workflowId: projectWorkflowId(project.id),
      taskQueue,
      args: [{ projectId: project.id, milestones: [milestoneInput(project, 0), milestoneInput(project, 1)] }],
    });
    const started = await execute(handle, milestonesStartedUpdate);
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
