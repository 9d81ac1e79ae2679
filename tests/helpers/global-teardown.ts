import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { EmbeddedDb } from '../../dev/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const { __escrowTestPg: pg, __escrowTestTemporal: temporal, __escrowTestDir: dir } = globalThis as {
    __escrowTestPg?: EmbeddedDb;
    __escrowTestTemporal?: ChildProcess;
    __escrowTestDir?: string;
  };
  const exited = temporal && temporal.exitCode === null ? new Promise((resolve) => temporal.once('exit', resolve)) : undefined;
  temporal?.kill('SIGTERM');
  await Promise.all([pg?.stop(), exited]);
  if (dir) rmSync(dir, { recursive: true, force: true });
}
