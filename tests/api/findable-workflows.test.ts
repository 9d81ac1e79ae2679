import type { WorkflowExecutionInfo } from '@temporalio/client';
import { PROVIDER, uniq } from '../helpers/fixtures';
import { projectBody, startApiSystem, type ApiSystem } from '../helpers/api-system';
import { eventually } from '../helpers/temporal';

let sys: ApiSystem;
beforeAll(async () => {
  sys = await startApiSystem();
});
afterAll(() => sys?.close());

/** The workflow ids a visibility query lists, sorted; the server's visibility store follows the workflows shortly after. */
async function list(query: string): Promise<WorkflowExecutionInfo[]> {
  const found: WorkflowExecutionInfo[] = [];
  for await (const info of sys.env.client.workflow.list({ query })) found.push(info);
  return found.sort((a, b) => (a.workflowId < b.workflowId ? -1 : a.workflowId > b.workflowId ? 1 : 0));
}
async function listed(query: string, ids: string[]): Promise<string[]> {
  let found: string[] = [];
  try {
    return await eventually(async () => {
      found = (await list(query)).map((w) => w.workflowId);
      return JSON.stringify(found) === JSON.stringify([...ids].sort()) ? found : undefined;
    }, 30000, query);
  } catch {
    throw new Error(`${query}: listed ${found.join(', ') || 'nothing'}, not ${[...ids].sort().join(', ')}`);
  }
}

test('the Web UI finds milestones by state and party: MilestoneState="disputed" lists exactly the disputed ones', async () => {
  // a client of its own: other tests share the dev server
  const client = { id: uniq('c'), email: 'findable@example.test', name: 'Cliente trouvable' };
  const platform = await sys.as('platform-1', 'platform');
  const created = await platform.post('/v1/projects').send(
    projectBody({ title: 'Refonte du site', client, milestones: [1, 2, 3, 4].map((n) => ({ title: `Lot ${n}`, amount: 10000 * n })) }),
  );
  expect(created.status).toBe(201);
  const projectId: string = created.body.id;
  const [a, b, c, d] = (created.body.milestones as { id: string }[]).map((m) => m.id);
  for (const id of [a, b, c]) await sys.fund(projectId, id);
  const provider = await sys.as(PROVIDER.id, 'provider');
  const dispute = async (milestoneId: string) => {
    const res = await provider.post(`/v1/projects/${projectId}/milestones/${milestoneId}/disputes`).send({ reason: 'Client silencieux', statement: 'Livré.' });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  await dispute(a);
  const withdrawn = await dispute(b);
  expect((await provider.post(`/v1/disputes/${withdrawn}/withdraw`)).status).toBe(200);

  const wf = (id: string) => `milestone:${id}`;
  await listed(`MilestoneState = "disputed" AND ClientId = "${client.id}"`, [wf(a)]);
  await listed(`MilestoneState = "funded" AND ClientId = "${client.id}"`, [wf(b), wf(c)]);
  await listed(`MilestoneState = "awaiting_deposit" AND ClientId = "${client.id}"`, [wf(d)]);
  await listed(`DisputeState = "withdrawn" AND ClientId = "${client.id}"`, [wf(b)]);
  await listed(`DisputeState = "none" AND ClientId = "${client.id}"`, [wf(c), wf(d)]);
  // the project's workflow and its milestones', by the platform's own id of the project
  const all = await listed(`ProjectExternalId = "${created.body.externalId}"`, [`project:${projectId}`, ...[a, b, c, d].map(wf)]);
  expect(all).toHaveLength(5);

  const [disputed] = await list(`MilestoneState = "disputed" AND ClientId = "${client.id}"`);
  expect(disputed.memo).toEqual({ projectTitle: 'Refonte du site', milestoneTitle: 'Lot 1' });
  expect(disputed.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value]).filter(([name]) => !String(name).startsWith('Temporal'))).toEqual(
    expect.arrayContaining([
      ['ProjectId', projectId],
      ['ProjectExternalId', created.body.externalId],
      ['ClientId', client.id],
      ['ProviderId', PROVIDER.id],
      ['MilestoneState', 'disputed'],
      ['DisputeState', 'open'],
    ]),
  );
});
