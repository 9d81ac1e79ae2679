import { randomUUID } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import pino from 'pino';
import request from 'supertest';
import { createActivities } from '../../activities';
import { createApp } from '../../api/app';
import { signPayload } from '../../lib/webhook-signature';
import type { Db } from '../../db/pool';
import { dataConverterFor } from '../../lib/data-converter';
import { DEV_PAYMENTS_WEBHOOK_SECRET, loadConfig, requestedRail, type Config } from '../../lib/config';
import type { Logger } from '../../lib/logger';
import { hs256Shape } from '../../lib/token-shape';
import { startMailCatcher, type MailCatcher } from '../../dev/mail-catcher';
import { startOrdersInbox, type OrdersInbox } from '../../dev/orders-inbox';
import { signToken } from '../../dev/tokens';
import type { Role } from '../../domain/parties';
import { buildActivityDeps } from '../../worker/build-deps';
import { bundleWorkflows, createWorker } from '../../worker/create-worker';
import { freshDatabase } from './db';
import { CLIENT, PROVIDER, uniq } from './fixtures';
import { checkedListener, openApiChecker, type OpenApiDocument } from './openapi-check';
import { eventually, startDevServer } from './temporal';

/** Answers of the apps below that break the OpenAPI document; checked after each test. */
const violations: string[] = [];
afterEach(() => {
  const found = violations.splice(0);
  if (found.length > 0) throw new Error(`answers that break the OpenAPI document:\n${found.join('\n')}`);
});

export interface ApiSystem {
  /** the real app, behind a listener that checks every answer against the OpenAPI document it serves */
  app: RequestListener;
  db: Db;
  config: Config;
  mail: MailCatcher;
  /** the payment provider's inbox, when the settings select the webhook rail without a PAYMENT_ORDERS_URL */
  orders?: OrdersInbox;
  env: TestWorkflowEnvironment;
  /** the client the app and the activities use: it encrypts and decrypts payloads when the settings ask for it */
  temporal: Client;
  /** another app over the same services, with other settings or a logger the test reads */
  appWith(settings: Partial<Config>, log?: Logger): RequestListener;
  token(sub: string, role: Role): Promise<string>;
  /** supertest with a Bearer token */
  as(sub: string, role: Role): Promise<{ get(url: string): request.Test; post(url: string): request.Test }>;
  /** a signed payment-provider event */
  webhook(type: string, data: Record<string, unknown>, id?: string): request.Test;
  /** deposits what the milestone asks for now (amount and escrow fee) and waits until it is funded */
  fund(projectId: string, milestoneId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real app over real services: a Temporal dev server, a worker with the real activities, PostgreSQL, SMTP.
 * `settings` override the contract's settings (../shared/API.md), as the environment would; `options.token` signs
 * the callers' tokens when they come from elsewhere than AUTH_JWT_SECRET (an identity provider's JWKS).
 */
export async function startApiSystem(settings: Record<string, string> = {}, options: { token?: ApiSystem['token'] } = {}): Promise<ApiSystem> {
  const inboxNeeded = requestedRail(settings) === 'webhook' && !settings.PAYMENT_ORDERS_URL;
  const [env, { db, url }, mail, bundle, orders] = await Promise.all([
    startDevServer(),
    freshDatabase(),
    startMailCatcher(),
    bundleWorkflows(),
    inboxNeeded ? startOrdersInbox({ secret: settings.PAYMENTS_WEBHOOK_SECRET || DEV_PAYMENTS_WEBHOOK_SECRET }) : undefined,
  ]);
  const config = loadConfig({
    ...(orders && { PAYMENT_ORDERS_URL: orders.url }),
    DATABASE_URL: url,
    TEMPORAL_TASK_QUEUE: uniq('tq'),
    SMTP_URL: `smtp://127.0.0.1:${mail.smtpPort}`,
    PAYOUT_CALENDAR: 'any',
    PAYOUT_DELAY: '1s',
    LOG_LEVEL: 'silent',
    // The suites send hundreds of requests a minute from one address; the limits have tests of their own.
    RATE_LIMIT_PER_ADDRESS: '1000000',
    RATE_LIMIT_PER_USER: '1000000',
    ...settings,
  });
  // with PAYLOAD_ENCRYPTION_KEYS, the worker and the app encrypt as the processes do (lib/data-converter.ts)
  const dataConverter = dataConverterFor(config);
  const temporal = dataConverter ? new Client({ connection: env.connection, namespace: 'default', dataConverter }) : env.client;
  const deps = buildActivityDeps(config, db, temporal);
  const worker: Worker = await createWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: createActivities(deps),
    workflowBundle: bundle,
    dataConverter,
  });
  const running = worker.run();
  const real = createApp({ db, temporal, config, log: pino({ level: 'silent' }) });
  const check = openApiChecker((await request(real).get('/openapi.json')).body as OpenApiDocument);
  const checked = (app: RequestListener) => checkedListener(app, check, violations);
  const app = checked(real);
  const token =
    options.token ??
    ((sub: string, role: Role) => {
      if (!config.AUTH_JWT_SECRET) throw new Error('api system: no AUTH_JWT_SECRET to sign with; give options.token (the identity provider)');
      return signToken(config.AUTH_JWT_SECRET, { sub, role }, 3600, hs256Shape(config));
    });
  const system: ApiSystem = {
    app,
    db,
    config,
    mail,
    orders,
    env,
    temporal,
    token,
    appWith: (settings, log = pino({ level: 'silent' })) => checked(createApp({ db, temporal, config: { ...config, ...settings }, log })),
    async as(sub, role) {
      const bearer = `Bearer ${await token(sub, role)}`;
      return {
        get: (u: string) => request(app).get(u).set('authorization', bearer),
        post: (u: string) => request(app).post(u).set('authorization', bearer),
      };
    },
    webhook(type, data, id = `evt_${randomUUID()}`) {
      const body = JSON.stringify({ id, type, data });
      return request(app)
        .post('/v1/webhooks/payments')
        .set('content-type', 'application/json')
        .set('payment-signature', signPayload(config.PAYMENTS_WEBHOOK_SECRET, body))
        .send(body);
    },
    async fund(projectId, milestoneId) {
      const path = `/v1/projects/${projectId}/milestones/${milestoneId}`;
      const staff = await system.as('platform-1', 'platform');
      const { dueNow, currency } = (await staff.get(path)).body;
      const res = await system.webhook('deposit.succeeded', { milestoneId, amount: dueNow, currency, reference: `vir-${milestoneId}` });
      if (res.status !== 200) throw new Error(`deposit of ${dueNow} refused: ${res.status} ${res.text}`);
      await eventually(async () => ((await staff.get(path)).body.state === 'funded' ? true : undefined), 15000, `milestone ${milestoneId} funded`);
    },
    async close() {
      worker.shutdown();
      await running;
      deps.mailer.close();
      await Promise.all([env.teardown(), mail.close(), db.end(), orders?.close()]);
    },
  };
  return system;
}

/** A project body; without fees unless the test passes rates (fee tests do). */
export const projectBody = (overrides: Record<string, unknown> = {}) => ({
  externalId: uniq('pel'),
  commissionRate: 0,
  escrowFeeRate: 0,
  title: 'Site vitrine',
  formula: 'r0',
  currency: 'EUR',
  client: CLIENT,
  provider: PROVIDER,
  milestones: [
    { title: 'Maquettes', amount: 120000 },
    { title: 'Intégration', amount: 80000 },
  ],
  ...overrides,
});

/** Asserts an RFC 9457 response with the given status and returns its body. */
export function expectProblem(res: request.Response, status: number) {
  expect({ status: res.status, type: res.headers['content-type'] }).toEqual({ status, type: expect.stringMatching(/^application\/problem\+json/) });
  const body = JSON.parse(res.text);
  expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  return body as { status: number; type: string; detail: string; errors?: { path: string; message: string }[] };
}
