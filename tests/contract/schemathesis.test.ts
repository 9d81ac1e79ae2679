/**
 * `npm run test:contract`: the API as a client that nobody here wrote sees it. schemathesis (an OpenAPI fuzzer from
 * PyPI, scripts/install-schemathesis.sh) reads /openapi.json from the real system listening on a real port and runs
 * every check it has (`--checks all`) once per role, with that role's token, in a world of real resources (a
 * project with milestones in several states, a dispute, an amendment, a payment request, fee invoices, a refund)
 * whose ids it draws path parameters from. A fifth run covers what no token opens: the public routes, and the
 * payment provider's webhook through a proxy that signs the bodies schemathesis generates.
 *
 * A run passes when schemathesis reports no failure (the cases tolerated as intended behaviour are configured in
 * tests/contract/schemathesis.toml and explained in docs/decisions.md), the API answered no 5xx, and every answer
 * matched the document (tests/helpers/openapi-check.ts, as in every API test). Reports: .tools/contract-report/.
 * CONTRACT_EXAMPLES (examples per operation, 50) and CONTRACT_SEED change the run, CONTRACT_ST_ARGS adds options
 * (e.g. `--continue-on-failure` to see every failure of an operation); the seed is printed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { listen } from '../../api/server';
import { signPayload } from '../../lib/webhook-signature';
import type { Role } from '../../domain/parties';
import request from 'supertest';
import { startApiSystem, type ApiSystem } from '../helpers/api-system';
import { buildWorld, IDENTITIES, idsByParam, ROLES, type World } from '../helpers/security-world';
import { eventually } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '../..');
const ST = path.join(ROOT, '.tools/schemathesis-venv/bin/st');
const REPORTS = path.join(ROOT, '.tools/contract-report');
const BASE_CONFIG = path.join(__dirname, 'schemathesis.toml');
const EXAMPLES = Number(process.env.CONTRACT_EXAMPLES ?? 50);
const SEED = Number(process.env.CONTRACT_SEED ?? 20261128);

/** The routes no token opens: run once, in the fifth run, rather than once per role. */
const PUBLIC_PATHS = '^/(health|ready|openapi\\.json|docs|v1/webhooks/payments)$';
/** The value of Payment-Signature that the signing proxy replaces with a real signature of the body it carries. */
const SIGN_ME = 'sign-me';

/** What the API answered during one run, counted where it answers. */
interface Traffic {
  requests: number;
  statuses: Record<number, number>;
  serverErrors: string[];
}
let traffic: Traffic = { requests: 0, statuses: {}, serverErrors: [] };

function counted(app: RequestListener): RequestListener {
  return (req, res) => {
    res.on('finish', () => {
      traffic.requests += 1;
      traffic.statuses[res.statusCode] = (traffic.statuses[res.statusCode] ?? 0) + 1;
      if (res.statusCode >= 500) traffic.serverErrors.push(`${req.method} ${req.url} → ${res.statusCode}`);
    });
    app(req, res);
  };
}

/**
 * In front of the API for the webhook run: a request whose Payment-Signature is SIGN_ME gets a valid signature of
 * the exact bytes it carries; any other value (schemathesis's own probes of a missing or wrong one) goes as it is.
 */
function signingProxy(target: number, secret: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = { ...req.headers };
      if (headers['payment-signature'] === SIGN_ME) headers['payment-signature'] = signPayload(secret, body);
      const upstream = http.request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  };
}

let sys: ApiSystem;
let api: Server;
let proxy: Server;
let worlds: World[];
const results: { run: string; operations: string; cases: number; requests: number; failures: number; seconds: number }[] = [];

beforeAll(async () => {
  if (!existsSync(ST)) throw new Error(`${ST} is missing: run scripts/install-schemathesis.sh`);
  sys = await startApiSystem({
    PAYMENT_PROVIDER: 'webhook',
    PAYOUT_DELAY: '0s',
    // Thousands of requests a minute from one address and one user: the limits have tests of their own.
    RATE_LIMIT_PER_ADDRESS: '1000000',
    RATE_LIMIT_PER_USER: '1000000',
  });
  api = await listen(counted(sys.app), 0, '127.0.0.1');
  proxy = await listen(signingProxy(port(api), sys.config.PAYMENTS_WEBHOOK_SECRET), 0, '127.0.0.1');
  // One world per run, so that what one role's run changes (a dispute decided, a milestone released) is not the
  // starting state of the next. The mediator's dispute is escalated to the SMA, where mediators act: its project is
  // created with a 10 s response window (timings are fixed when a project is created), then the world waits for it.
  worlds = await Promise.all(
    [...ROLES, 'public'].map(async (run) => {
      if (run !== 'mediator') return buildWorld(sys);
      const world = await buildWorld(creatingWith(sys.appWith({ DISPUTE_RESPONSE_WINDOW: 10_000 })));
      const escalated = async () => (await sys.db.query('SELECT state FROM disputes WHERE id = $1', [world.disputeId])).rows[0]?.state === 'escalated';
      await eventually(async () => ((await escalated()) ? true : undefined), 30000, 'the mediator world\'s dispute escalated');
      return world;
    }),
  );
  rmSync(REPORTS, { recursive: true, force: true });
}, 180000);

afterAll(async () => {
  if (results.length > 0) {
    const lines = results.map((r) => `${r.run.padEnd(16)} ${r.operations.padStart(10)} ${String(r.cases).padStart(7)} ${String(r.requests).padStart(9)} ${String(r.failures).padStart(9)} ${r.seconds.toFixed(0).padStart(5)} s`);
    process.stdout.write(
      `\ncontract runs (schemathesis --checks all, -n ${EXAMPLES}, --seed ${SEED}):\n` +
        `${'run'.padEnd(16)} ${'operations'.padStart(10)} ${'cases'.padStart(7)} ${'requests'.padStart(9)} ${'failures'.padStart(9)} ${'time'.padStart(7)}\n${lines.join('\n')}\n\n`,
    );
  }
  proxy?.close();
  api?.close();
  await sys?.close();
});

const port = (server: Server) => (server.address() as { port: number }).port;

/** The system, with its users' requests going to `app` (funding and webhooks still go through the system's own). */
function creatingWith(app: RequestListener): ApiSystem {
  const as: ApiSystem['as'] = async (sub, role) => {
    const bearer = `Bearer ${await sys.token(sub, role)}`;
    return { get: (u) => request(app).get(u).set('authorization', bearer), post: (u) => request(app).post(u).set('authorization', bearer) };
  };
  return { ...sys, app, as };
}

/**
 * The base settings, the run's credentials as schemathesis's own auth (so that its probes without them, or with
 * wrong ones, really go without: a `-H` header is added to every request, those probes included) and, as
 * dictionaries, the world's ids for each parameter that names one.
 */
function configFor(world: World, auth: Auth, file: string): void {
  const ids = idsByParam(world);
  // Splits of a milestone's 10000 in escrow (proposals, decisions), and the client's own id for its projects.
  const values: Record<string, (string | number)[]> = { ...ids, split: [0, 4000, 6000, 10000], self: [IDENTITIES.client.party] };
  const dictionaries = Object.entries(values).map(([name, entries]) => `[dictionaries.${name}]\nvalues = ${JSON.stringify(entries)}\n`);
  const bindings = [
    ...Object.keys(ids).map((name) => `"path.${name}" = { dictionary = "${name}", probability = 0.9 }`),
    `"body.changes[*].milestoneId" = { dictionary = "milestoneId", probability = 0.9 }`,
    `"body.changes[*].remove" = { dictionary = "milestoneId", probability = 0.9 }`,
    `"body.data.milestoneId" = { dictionary = "milestoneId", probability = 0.9 }`,
    `"body.data.refundId" = { dictionary = "refundId", probability = 0.5 }`,
    `"body.providerAmount" = { dictionary = "split", probability = 0.7 }`,
    `"body.clientAmount" = { dictionary = "split", probability = 0.7 }`,
    ...('bearer' in auth && auth.role === 'client' ? [`"body.client.id" = { dictionary = "self", probability = 0.7 }`] : []),
  ];
  const credentials =
    'bearer' in auth
      ? '[auth.openapi.bearerAuth]\nbearer = "${CONTRACT_TOKEN}"\n'
      : `[auth.openapi.paymentSignature]\napi_key = "${SIGN_ME}"\n`;
  writeFileSync(file, `${readFileSync(BASE_CONFIG, 'utf8')}\n${credentials}\n${dictionaries.join('\n')}\n[parameters]\n${bindings.join('\n')}\n`);
}

/** A role's token, or the payment provider's signature (added by the signing proxy). */
type Auth = { bearer: string; role: Role } | { signature: true };

interface Report {
  exit_code: number;
  operations: { selected: number; tested: number; errored: number } | null;
  test_cases: { generated: number; unique_failures: number; errored: number };
  failures: { title: string; count: number; operations: string[] }[];
  errors: { title: string; count: number }[];
}

async function fuzz(run: string, world: World, auth: Auth, args: string[]): Promise<void> {
  const dir = path.join(REPORTS, run);
  mkdirSync(dir, { recursive: true });
  const config = path.join(dir, 'schemathesis.toml');
  configFor(world, auth, config);
  traffic = { requests: 0, statuses: {}, serverErrors: [] };
  const started = Date.now();
  const output: Buffer[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(
      ST,
      [
        '--config-file', config, '--no-color', 'run', ...args,
        '--checks', 'all', '--max-examples', String(EXAMPLES), '--seed', String(SEED), '--workers', '1',
        ...(process.env.CONTRACT_ST_ARGS ?? '').split(' ').filter(Boolean),
        '--report', 'json,ndjson', '--report-json-path', path.join(dir, 'report.json'), '--report-ndjson-path', path.join(dir, 'events.ndjson'),
      ],
      // From here, the config's `hooks = "hooks.py"` is this folder's; the reports go to `dir`, Hypothesis's caches
      // (Unicode tables) to .tools/hypothesis rather than a .hypothesis/ here.
      {
        cwd: __dirname,
        env: {
          ...process.env,
          CONTRACT_TOKEN: 'bearer' in auth ? auth.bearer : '',
          HYPOTHESIS_STORAGE_DIRECTORY: path.join(ROOT, '.tools/hypothesis'),
          NO_COLOR: '1',
          COLUMNS: '160',
        },
      },
    );
    child.stdout.on('data', (c: Buffer) => output.push(c));
    child.stderr.on('data', (c: Buffer) => output.push(c));
    child.on('error', reject);
    child.on('close', (status) => resolve(status ?? 1));
  });
  const text = Buffer.concat(output).toString('utf8');
  writeFileSync(path.join(dir, 'output.txt'), text);
  const report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as Report;
  results.push({
    run,
    operations: `${report.operations?.tested ?? 0}/${report.operations?.selected ?? 0}`,
    cases: report.test_cases.generated,
    requests: traffic.requests,
    failures: report.test_cases.unique_failures,
    seconds: (Date.now() - started) / 1000,
  });
  const statuses = Object.entries(traffic.statuses).map(([s, n]) => `${s}×${n}`).join(' ');
  process.stdout.write(`\n${run}: ${traffic.requests} requests (${statuses}); schemathesis exit ${code}; report ${dir}\n`);
  if (code !== 0) process.stdout.write(text);
  expect(traffic.serverErrors).toEqual([]);
  expect({ failures: report.failures, errors: report.errors, exit: code }).toEqual({ failures: [], errors: [], exit: 0 });
}

test.each(ROLES)('%s: every check passes on every operation', async (role: Role) => {
  const world = worlds[ROLES.indexOf(role)];
  const token = await sys.token(IDENTITIES[role].party, role);
  await fuzz(role, world, { bearer: token, role }, [`http://127.0.0.1:${port(api)}/openapi.json`, '--exclude-path-regex', PUBLIC_PATHS]);
});

test('no token: the public routes, and the webhook with bodies signed as the payment provider signs them', async () => {
  await fuzz('public+webhook', worlds[ROLES.length], { signature: true }, [`http://127.0.0.1:${port(proxy)}/openapi.json`, '--include-path-regex', PUBLIC_PATHS]);
});
