/**
 * The served OpenAPI document through Redocly's recommended rules and ours (a camelCase operationId on every
 * operation, every request body required): part of `npm run lint`. `tsx scripts/lint-openapi.ts FILE` lints a saved
 * document instead; `--print` prints the served one.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { createApp } from '../api/app';
import { listen } from '../api/server';
import { createPool } from '../db/pool';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { fail, oneLine } from './fail';

const RULES = {
  // a private API: no public license; its servers are wherever it is deployed
  'info-license': 'off',
  'info-license-url': 'off',
  'no-empty-servers': 'off',
  'operation-operationId': 'error',
  'operation-operationId-unique': 'error',
  'operation-operationId-url-safe': 'error',
  'operation-summary': 'error',
  'operation-4xx-response': 'error',
  'rule/operation-id-camel-case': {
    subject: { type: 'Operation', property: 'operationId' },
    assertions: { casing: 'camelCase' },
    message: 'operationId must be camelCase',
    severity: 'error',
  },
  'rule/request-body-required': {
    subject: { type: 'RequestBody', property: 'required' },
    assertions: { defined: true, const: true },
    message: 'a request body the route needs is marked required',
    severity: 'error',
  },
} as const;

/** The document as the API serves it, from an app whose database and Temporal connections are never opened. */
async function servedDocument(): Promise<string> {
  const config = loadConfig({ DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused', LOG_LEVEL: 'silent' });
  const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const app = createApp({ db: createPool(config.DATABASE_URL), temporal, config, log: createLogger(config, 'lint') });
  const server = await listen(app, 0);
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/openapi.json`);
    return await res.text();
  } finally {
    server.close();
  }
}

async function main() {
  const file = process.argv[2];
  if (file === '--print') {
    console.log(await servedDocument());
    process.exit(0);
  }
  const source = file ? readFileSync(file, 'utf8') : await servedDocument();
  const config = await createConfig({ extends: ['recommended'], rules: RULES });
  const problems = await lintFromString({ source, absoluteRef: file ?? 'openapi.json', config });
  for (const p of problems) console.error(`${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`);
  if (problems.length > 0) fail(`openapi: ${problems.length} problem(s) in ${file ?? 'the served document'}`);
  console.log(`openapi: the served document passes (${file ?? 'openapi.json'})`);
  process.exit(0);
}

main().catch((err) => fail(`openapi lint: ${oneLine(err)}`));
