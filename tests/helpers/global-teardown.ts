import type { EmbeddedDb } from '../../dev/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __escrowTestPg?: EmbeddedDb }).__escrowTestPg?.stop();
}
