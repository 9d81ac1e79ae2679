import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflows } from '../../worker/create-worker';

const HISTORIES = path.join(__dirname, 'histories');
const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));

let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  bundle = await bundleWorkflows();
});

test('there are recorded histories to replay', () => {
  expect(files.length).toBeGreaterThan(0);
});

// Histories recorded by every earlier version of the workflows, frozen (SHA256SUMS; never rewritten, new versions go
// beside them): today's code must replay them without a nondeterminism error, or running milestones would break.
// One replay worker for all of them (a worker per history cost a third of a second each); the workflow id names the file.
test('replays every recorded history with the current workflow code', async () => {
  const histories = files.map((file) => ({ workflowId: file, history: historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8'))) }));
  const failed: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
    replayed++;
    if (result.error) failed.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failed).toEqual([]);
  expect(replayed).toBe(files.length);
});

test('the replay check is live: a workflow changed without patched() fails on a recorded history', async () => {
  const changed = await bundleWorkflowCode({
    workflowsPath: require.resolve('./fixtures/changed-milestone-workflow'),
    logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  const history = historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES, 'milestone-happy-path.json'), 'utf8')));
  const errors = [];
  // the same batch replay as above
  for await (const result of Worker.runReplayHistories({ workflowBundle: changed }, [{ workflowId: 'happy-path', history }])) errors.push(result.error);
  expect(errors).toEqual([expect.any(DeterminismViolationError)]);
});
