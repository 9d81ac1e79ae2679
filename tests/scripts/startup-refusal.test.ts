import { execFile } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../dev/free-port';
import { PRODUCTION_IDENTITY } from '../helpers/fixtures';

/** The API and worker processes refuse a rail production must not run on: one line, exit 1, before connecting anywhere. */
const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

async function start(entry: string, settings: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const [pg, temporal] = await Promise.all([freePort(), freePort()]);
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    AUTH_JWT_SECRET: 'p'.repeat(40),
    PAYMENTS_WEBHOOK_SECRET: 'w'.repeat(40),
    PAYLOAD_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
    // nothing listens there: a process that tried to connect would say so
    DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${pg}/escrow`,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporal}`,
    PAYMENT_PROVIDER: '',
    PAYOUT_GATEWAY: '',
    PAYMENT_ORDERS_URL: '',
    ...PRODUCTION_IDENTITY,
    ...settings,
  };
  return new Promise((resolve) => {
    execFile(TSX, [entry], { cwd: ROOT, env }, (err, stdout, stderr) => resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr }));
  });
}

test.each([
  ['api', 'api/main.ts'],
  ['worker', 'worker/main.ts'],
])('%s under NODE_ENV=production refuses the sandbox rail in one line, without connecting', async (name, entry) => {
  const { code, stderr } = await start(entry, { PAYMENT_PROVIDER: 'sandbox' });
  expect(code).toBe(1);
  expect(stderr.trimEnd().split('\n')).toEqual([
    `${name}: PAYMENT_PROVIDER=sandbox confirms payments by itself: refused with NODE_ENV=production; set PAYMENT_PROVIDER=stripe or webhook`,
  ]);
  expect(stderr).not.toMatch(/ECONNREFUSED|connect/i);
});

test.each([
  ['api', 'api/main.ts'],
  ['worker', 'worker/main.ts'],
])('%s refuses the webhook rail without PAYMENT_ORDERS_URL in one line, without connecting', async (name, entry) => {
  const { code, stderr } = await start(entry, { PAYMENT_PROVIDER: 'webhook' });
  expect(code).toBe(1);
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toBe(`${name}: invalid settings: PAYMENT_ORDERS_URL: required with PAYMENT_PROVIDER=webhook, which sends its payout and refund orders there`);
  expect(stderr).not.toMatch(/ECONNREFUSED|connect/i);
});
