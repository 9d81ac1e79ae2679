/** The API process: HTTP on PORT, talking to Temporal and PostgreSQL. */
import { Client, Connection } from '@temporalio/client';
import { purgeExpiredIdempotencyKeys } from '../db/idempotency';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { loadConfigOrExit } from '../lib/config';
import { dataConverterFor } from '../lib/data-converter';
import { createLogger } from '../lib/logger';
import { waitFor } from '../lib/wait-for';
import { createApp } from './app';
import { acceptedTokens, loggedTokenVerifier } from './auth/token-verifier';
import { boundedBy } from './deadline';
import { handOverUnhanded } from './payment-request-handover';
import { Presence } from './presence';
import { listen } from './server';

/** Back within a second of a Temporal restart: gRPC's reconnect backoff would otherwise grow to minutes. */
const QUICK_RECONNECT = { 'grpc.initial_reconnect_backoff_ms': 250, 'grpc.max_reconnect_backoff_ms': 1000 };

async function main() {
  const config = loadConfigOrExit('api');
  const log = createLogger(config, 'api');
  for (const warning of config.warnings) log.warn(warning);
  const db = createPool(config.DATABASE_URL);
  await waitFor('PostgreSQL', () => migrate(db), log);
  const connection = await waitFor('Temporal', () => Connection.connect({ address: config.TEMPORAL_ADDRESS, channelArgs: QUICK_RECONNECT }), log);
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterFor(config) });
  const presence = new Presence(db);
  const verifier = loggedTokenVerifier(config, log);
  log.info({ accepted: acceptedTokens(config) }, 'bearer tokens accepted');
  verifier.warm().catch((err: unknown) => log.warn({ err }, "could not fetch the identity provider's keys yet (AUTH_JWKS_URL): the first token will try again"));
  const server = await listen(createApp({ db, temporal, config, log, presence, verifier }), config.PORT);
  log.info({ port: config.PORT, instance: presence.id }, `API listening on http://localhost:${config.PORT}`);
  const purge = setInterval(() => {
    purgeExpiredIdempotencyKeys(db).catch((err) => log.warn({ err }, 'could not purge expired idempotency keys'));
  }, 3_600_000);
  purge.unref();
  const sweep = setInterval(() => {
    handOverUnhanded({ db, temporal, bounded: boundedBy(temporal, config.REQUEST_DEADLINE), log }).catch((err) =>
      log.warn({ err }, 'could not look for payment requests to hand over'),
    );
  }, 10_000);
  sweep.unref();
  const stop = () => {
    server.close(() => {
      void presence
        .stop()
        .then(() => Promise.all([connection.close(), db.end()]))
        .finally(() => process.exit(0));
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
