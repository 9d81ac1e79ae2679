import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { signPayload } from '../../lib/webhook-signature';
import { checkLedger } from '../../db/ledger-check';
import type { Db } from '../../db/pool';
import { DEV_AUTH_JWT_SECRET, DEV_PAYMENTS_WEBHOOK_SECRET } from '../../lib/config';
import { freePort } from '../../dev/free-port';
import { startMailCatcher, type MailCatcher } from '../../dev/mail-catcher';
import { signToken } from '../../dev/tokens';
import type { Role } from '../../domain/parties';
import { freshDatabase } from './db';
import { PROVIDER, uniq } from './fixtures';
import { openApiChecker, type OpenApiDocument } from './openapi-check';
import { eventually, startDevServer } from './temporal';

const ROOT = path.resolve(__dirname, '..', '..');

export interface E2eSystem {
  api: string;
  db: Db;
  token: (sub: string, role: Role) => Promise<string>;
  mail: MailCatcher;
  call: (method: string, route: string, who: [string, Role] | null, body?: unknown) => Promise<{ status: number; body: any }>;
  deposit: (milestoneId: string, amount: number) => Promise<void>;
  /** the payment summary, after checking every figure against balances read straight from the ledger lines */
  summaryMatchingLedger: (projectId: string) => Promise<any>;
  stop: () => Promise<void>;
}

/**
 * The system as it runs in production: the API and worker processes (api/main.ts, worker/main.ts) against a
 * Temporal dev server, PostgreSQL and an SMTP listener, reached only through HTTP. `settings` are the contract's variables (../shared/API.md).
 */
export async function startE2eSystem(settings: Record<string, string>): Promise<E2eSystem> {
  const [env, { db, url }, mail]: [TestWorkflowEnvironment, { db: Db; url: string }, MailCatcher] = await Promise.all([
    startDevServer(),
    freshDatabase(),
    startMailCatcher(),
  ]);
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const childEnv = {
    ...process.env,
    PORT: String(port),
    DATABASE_URL: url,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: uniq('e2e'),
    SMTP_URL: `smtp://127.0.0.1:${mail.smtpPort}`,
    LOG_LEVEL: 'warn',
    ...settings,
  };
  const children: ChildProcess[] = ['worker/main.ts', 'api/main.ts'].map((entry) =>
    spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [entry], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'ignore', 'inherit'] }),
  );
  await eventually(async () => ((await fetch(`${api}/ready`).then((r) => r.ok, () => false)) ? true : undefined), 60000, 'API ready');
  const check = openApiChecker((await (await fetch(`${api}/openapi.json`)).json()) as OpenApiDocument);

  async function call(method: string, route: string, who: [string, Role] | null, body?: unknown) {
    const headers: Record<string, string> = {};
    if (who) headers.authorization = `Bearer ${await signToken(DEV_AUTH_JWT_SECRET, { sub: who[0], role: who[1] })}`;
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(`${api}${route}`, { method, headers, body: payload });
    const text = await res.text();
    const violation = check(method, route, res.status, res.headers.get('content-type') ?? '', text);
    if (violation) throw new Error(`an answer that breaks the OpenAPI document: ${violation}`);
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  return {
    api,
    db,
    token: (sub, role) => signToken(DEV_AUTH_JWT_SECRET, { sub, role }),
    mail,
    call,
    async deposit(milestoneId, amount) {
      const body = JSON.stringify({ id: uniq('evt'), type: 'deposit.succeeded', data: { milestoneId, amount, currency: 'EUR', reference: uniq('vir') } });
      const res = await fetch(`${api}/v1/webhooks/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'payment-signature': signPayload(DEV_PAYMENTS_WEBHOOK_SECRET, body) },
        body,
      });
      if (res.status !== 200) throw new Error(`deposit webhook answered ${res.status}: ${await res.text()}`);
    },
    async summaryMatchingLedger(projectId) {
      const { status, body } = await call('GET', `/v1/projects/${projectId}/payments`, [PROVIDER.id, 'provider']);
      expect(status).toBe(200);
      for (const m of body.milestones) {
        const { rows } = await db.query('SELECT account, sum(amount)::bigint AS balance FROM ledger_lines WHERE milestone_id = $1 GROUP BY account', [m.milestoneId]);
        const debit = (account: string): number => rows.find((r) => r.account === account)?.balance ?? 0;
        // liabilities carry credit balances (negative sums)
        const balance = (account: string) => 0 - debit(account);
        expect(m.inEscrow).toBe(balance('escrow'));
        expect(m.payable).toBe(balance('provider_payable') + balance('payouts_in_transit'));
        expect(m.commission).toBe(balance('fees_commission'));
        expect(m.escrowFee).toBe(balance('escrow_fee_held') + balance('fees_escrow'));
        expect(m.refundsPending).toBe(balance('refunds_due') + balance('refunds_in_transit'));
        expect(m.deposited - m.released - m.refunded).toBe(m.inEscrow);
        expect(m.released).toBe(m.paidOut + m.commission + m.payable);
      }
      expect(await checkLedger(db)).toEqual([]);
      for (const key of ['amount', 'deposited', 'released', 'refunded', 'inEscrow', 'paidOut', 'commission', 'escrowFee', 'payable', 'refundsPending']) {
        expect(body.totals[key]).toBe(body.milestones.reduce((s: number, m: Record<string, number>) => s + m[key], 0));
      }
      return body;
    },
    async stop() {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGINT');
            }),
        ),
      );
      await Promise.all([env.teardown(), mail.close(), db.end()]);
    },
  };
}
