import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { EmbeddedDb } from '../../dev/embedded-postgres';
import type { StripeMock } from '../../dev/stripe-mock';

export default async function globalTeardown(): Promise<void> {
  const { __escrowTestPg: pg, __escrowTestTemporal: temporal, __escrowTestStripe: stripe, __escrowTestDir: dir } = globalThis as {
    __escrowTestPg?: EmbeddedDb;
    __escrowTestTemporal?: ChildProcess;
    __escrowTestStripe?: StripeMock;
    __escrowTestDir?: string;
  };
  const exited = temporal && temporal.exitCode === null ? new Promise((resolve) => temporal.once('exit', resolve)) : undefined;
  temporal?.kill('SIGTERM');
  await Promise.all([pg?.stop(), exited, stripe?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
}
