import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { migrate } from '../../db/migrate';
import { createPool, type Db } from '../../db/pool';

/** A new, migrated database in the run's PostgreSQL, so test files never see each other's rows. */
export async function freshDatabase(): Promise<{ db: Db; url: string }> {
  const port = process.env.TEST_PG_PORT;
  if (!port) throw new Error('TEST_PG_PORT is unset: run the tests through jest (tests/helpers/global-setup.ts)');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/${name}`;
  const db = createPool(url, 5);
  await migrate(db);
  return { db, url };
}
