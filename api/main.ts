/** The API process: HTTP on PORT, talking to Temporal and PostgreSQL. */
import { Client, Connection } from '@temporalio/client';
import { purgeExpiredIdempotencyKeys } from '../db/idempotency';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { loadConfigOrExit } from '../lib/config';
import { createLogger } from '../lib/logger';
import { createApp } from './app';
import { listen } from './server';

async function main() {
  const config = loadConfigOrExit('api');
  const log = createLogger(config, 'api');
  for (const warning of config.warnings) log.warn(warning);
  const db = createPool(config.DATABASE_URL);
  await migrate(db);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const server = await listen(createApp({ db, temporal, config, log }), config.PORT);
  log.info({ port: config.PORT }, `API listening on http://localhost:${config.PORT}`);
  const purge = setInterval(() => {
    purgeExpiredIdempotencyKeys(db).catch((err) => log.warn({ err }, 'could not purge expired idempotency keys'));
  }, 3_600_000);
  purge.unref();
  const stop = () => {
    server.close(() => {
      void Promise.all([connection.close(), db.end()]).finally(() => process.exit(0));
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
