import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { freePort } from '../../dev/free-port';

/** The command-line tools as a newcomer runs them: an expected failure is one line on stderr, no stack, exit ≠ 0. */
const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function run(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, [path.join('scripts', script), ...args], { cwd: ROOT, env: { ...process.env, NODE_ENV: '', ...env } }, (err, stdout, stderr) =>
      resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr }),
    );
  });
}

const oneLine = (stderr: string) => {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
};

test('npm run token under production settings refuses the dev secret in one line', async () => {
  const { code, stdout, stderr } = await run('token.ts', ['--sub', 'c-1', '--role', 'client'], { NODE_ENV: 'production', AUTH_JWT_SECRET: '', PAYMENTS_WEBHOOK_SECRET: '' });
  expect(code).not.toBe(0);
  expect(stdout).toBe('');
  oneLine(stderr);
  expect(stderr).toMatch(/^token: refusing to run in production with the dev secrets/);
});

test('npm run token mints several tokens in one start-up, one a line, in the order asked', async () => {
  const { code, stdout } = await run('token.ts', ['--sub', 'c-1', '--role', 'client', '--sub', 'p-1', '--role', 'provider']);
  expect(code).toBe(0);
  const claims = stdout.trim().split('\n').map((token) => decodeJwt(token));
  expect(claims.map((c) => [c.sub, c.role])).toEqual([['c-1', 'client'], ['p-1', 'provider']]);
});

test('npm run token writes the issuer, audience and role claim the settings ask for', async () => {
  const { code, stdout } = await run('token.ts', ['--sub', 'm-1', '--role', 'mediator'], { AUTH_JWT_ISSUER: 'https://id.example/realms/escrow', AUTH_JWT_AUDIENCE: 'escrow-api,escrow-console', AUTH_ROLE_CLAIM: 'realm_access.roles' });
  expect(code).toBe(0);
  expect(decodeJwt(stdout.trim())).toMatchObject({ sub: 'm-1', iss: 'https://id.example/realms/escrow', aud: 'escrow-api', realm_access: { roles: ['mediator'] } });
});

test('npm run token with AUTH_JWKS_URL and no AUTH_JWT_SECRET says in one line that the identity provider signs', async () => {
  const { code, stdout, stderr } = await run('token.ts', ['--sub', 'c-1', '--role', 'client'], { AUTH_JWKS_URL: 'https://id.example/certs', AUTH_JWT_SECRET: '' });
  expect(code).not.toBe(0);
  expect(stdout).toBe('');
  oneLine(stderr);
  expect(stderr).toMatch(/^token: AUTH_JWKS_URL is set without AUTH_JWT_SECRET/);
});

test('npm run webhook honours API_URL and says in one line that nothing answers there', async () => {
  const port = await freePort();
  const { code, stderr } = await run('webhook.ts', ['deposit.succeeded', '{}'], { API_URL: `http://127.0.0.1:${port}` });
  expect(code).not.toBe(0);
  oneLine(stderr);
  expect(stderr).toContain(`webhook: cannot reach the API at http://127.0.0.1:${port} (API_URL): fetch failed: connect ECONNREFUSED`);
});

describe('against an API that refuses the event', () => {
  let api: Server;
  beforeAll(async () => {
    api = createServer((req, res) => {
      res.writeHead(401, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ title: 'bad signature', path: req.url }));
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => api.close(() => resolve())));

  test('npm run webhook prints the refusal in one line', async () => {
    const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    const { code, stdout, stderr } = await run('webhook.ts', ['deposit.succeeded', '{}'], { API_URL: `${url}/` });
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    oneLine(stderr);
    expect(stderr).toContain(`webhook: the API at ${url} refused the event: 401 {"title":"bad signature","path":"/v1/webhooks/payments"}`);
  });
});

test('npm run ledger:check says in one line that the database is out of reach', async () => {
  const port = await freePort();
  const { code, stderr } = await run('ledger-check.ts', [], { DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${port}/escrow` });
  expect(code).toBe(2);
  oneLine(stderr);
  expect(stderr).toMatch(/^ledger check could not run: connect ECONNREFUSED/);
});
