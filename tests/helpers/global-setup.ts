import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../dev/embedded-postgres';

/** One real PostgreSQL for the whole run; each test file creates its own database in it (tests/helpers/db.ts). */
export default async function globalSetup(): Promise<void> {
  const parent = mkdtempSync(path.join(tmpdir(), 'escrow-test-'));
  chmodSync(parent, 0o755); // PostgreSQL runs as its own user when the tests run as root
  const dir = path.join(parent, 'pg');
  const pg = await startEmbeddedPostgres({ dir, persistent: false });
  process.env.TEST_PG_PORT = String(pg.port);
  (globalThis as { __escrowTestPg?: typeof pg }).__escrowTestPg = pg;
}
