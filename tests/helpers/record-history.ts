import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { HISTORIES } from '../../scripts/histories';

/**
 * With RECORD_HISTORIES=<version> (e.g. `v3`), saves a finished workflow's history as `<name>.<version>.json` for
 * tests/workflows/replay.test.ts, beside the earlier versions. A recorded history is never rewritten: an existing
 * file is an error. List the new files with `npm run histories:check -- --add`.
 */
export async function recordHistoryIfAsked(handle: WorkflowHandle, name: string): Promise<void> {
  const version = process.env.RECORD_HISTORIES;
  if (!version) return;
  if (!/^v\d+$/.test(version)) throw new Error(`RECORD_HISTORIES=${version}: give the version to record, e.g. v3`);
  const file = path.join(HISTORIES, `${name}.${version}.json`);
  if (existsSync(file)) throw new Error(`${path.basename(file)} exists: recorded histories are never rewritten`);
  writeFileSync(file, historyToJSON(await handle.fetchHistory()));
}
