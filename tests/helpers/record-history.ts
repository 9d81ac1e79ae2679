import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

/** With RECORD_HISTORIES=1, saves a finished workflow's history for tests/workflows/replay.test.ts. */
export async function recordHistoryIfAsked(handle: WorkflowHandle, name: string): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const history = await handle.fetchHistory();
  writeFileSync(path.join(__dirname, '..', 'workflows', 'histories', `${name}.json`), historyToJSON(history));
}
