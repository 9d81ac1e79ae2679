import { Client } from '@temporalio/client';
import express, { type ErrorRequestHandler } from 'express';
import type { Db } from '../db/pool';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { ACCESS_POLICY, BEARER_ROUTES } from './access-policy';
import { methodGuard } from './middleware/method-guard';
import { httpMetrics } from './middleware/http-metrics';
import { requestLog } from './middleware/request-log';
import { ApiMetrics } from './metrics';
import { requestIdInterceptor } from './request-context';
import { routeMatcher, routeOf } from './route-templates';
import { rateLimit, SharedTokenBuckets } from './middleware/rate-limit';
import { securityHeaders } from './middleware/security-headers';
import { bodyTextGuard } from './middleware/text-guard';
import { urlGuard } from './middleware/url-guard';
import { authenticate } from './middleware/auth';
import { loggedTokenVerifier, type TokenVerifier } from './auth/token-verifier';
import { HttpProblem, toProblem } from './problem';
import { codecCors, codecRoutes } from './routes/codec';
import { CODEC_BODY_LIMIT } from './routes/codec.schemas';
import { consoleRouter } from './routes/console';
import { dataConverterFor } from '../lib/data-converter';
import { Idempotency } from './idempotency';
import { boundedBy } from './deadline';
import { eventOnce } from './event-once';
import { Presence } from './presence';
import { createRegistry, generateDocument } from './openapi';
import { ApiRoutes } from './route';
import { amendmentRoutes } from './routes/amendments';
import { bonusRoutes } from './routes/bonuses';
import { disputeRoutes } from './routes/disputes';
import { feeInvoiceRoutes } from './routes/fee-invoices';
import { invoiceDraftRoutes } from './routes/invoice-draft';
import { invoicingSettings } from '../lib/invoicing';
import { milestoneRoutes } from './routes/milestones';
import { refundRoutes } from './routes/refunds';
import { docsRouter } from './routes/docs';
import { metricsRouter } from './routes/metrics';
import { serviceRouter } from './routes/service';
import { notificationRoutes } from './routes/notifications';
import { paymentRequestRoutes } from './routes/payment-requests';
import { projectRoutes } from './routes/projects';
import { webhookRouter } from './routes/webhooks';
import { paymentProviderRoutes } from './routes/payment-provider';
import { STRIPE_WEBHOOK_PATH, stripeWebhookRouter } from './routes/stripe-webhooks';
import { createPaymentProvider } from '../lib/payment-providers';
import { createStripeClient } from '../lib/stripe-client';

/** The webhook of the other rail: unknown here, like any path without a route (before authentication); not in the document. */
const notOnThisRail = (why: string) => () => {
  throw new HttpProblem(404, `no route here: ${why}`, 'not-found');
};

export interface AppDeps {
  db: Db;
  temporal: Client;
  config: Config;
  log: Logger;
  /** this process as other API processes see it; made here when not given (tests) */
  presence?: Presence;
  /** what /metrics serves; made here when not given */
  metrics?: ApiMetrics;
  /** the bearer tokens' verifier; made from the settings when not given */
  verifier?: TokenVerifier;
}

/** The whole HTTP API, built from its dependencies so tests run the real app on real services. */
export function createApp({ db, temporal: client, config, log, presence = new Presence(db), metrics = new ApiMetrics(), verifier = loggedTokenVerifier(config, log) }: AppDeps) {
  // The same connection, with each start, signal and update carrying the request's id (api/request-context.ts).
  const temporal = new Client({
    connection: client.connection,
    namespace: client.options.namespace,
    dataConverter: client.options.dataConverter,
    interceptors: { workflow: [requestIdInterceptor()] },
  });
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  if (config.TRUST_PROXY) app.set('trust proxy', /^\d+$/.test(config.TRUST_PROXY) ? Number(config.TRUST_PROXY) : config.TRUST_PROXY);
  const routeTemplates = routeMatcher(Object.keys(ACCESS_POLICY));
  app.use(requestLog(log, routeTemplates));
  app.use(httpMetrics(metrics, routeTemplates));
  app.use(securityHeaders);
  app.use(urlGuard);
  const perAddress = new SharedTokenBuckets(db, 'address', config.RATE_LIMIT_PER_ADDRESS, config.RATE_LIMIT_WINDOW);
  const perUser = new SharedTokenBuckets(db, 'user', config.RATE_LIMIT_PER_USER, config.RATE_LIMIT_WINDOW);
  app.use(rateLimit(perAddress, 'address', (req) => req.ip ?? req.socket.remoteAddress));
  app.use(codecCors(config.CODEC_CORS_ORIGINS));
  app.use(methodGuard(routeTemplates));

  const registry = createRegistry();
  app.use(serviceRouter({ db, temporal, registry, document: () => openapi }));
  app.use(docsRouter({ registry }));
  app.use(consoleRouter({ registry }));
  app.use(metricsRouter({ metrics, token: config.METRICS_TOKEN, registry }));

  const bounded = boundedBy(temporal, config.REQUEST_DEADLINE);
  const applyOnce = eventOnce({ db, presence, bounded, waitMs: config.REQUEST_DEADLINE });
  const payments = createPaymentProvider(config);
  const taskQueue = config.TEMPORAL_TASK_QUEUE;
  // One rail's money facts: with Stripe they come only from Stripe's signed events, the generic webhook answers 404.
  if (config.PAYMENT_PROVIDER === 'stripe') {
    const stripe = createStripeClient({ secretKey: config.STRIPE_SECRET_KEY!, apiUrl: config.STRIPE_API_URL });
    const secrets = { account: config.STRIPE_WEBHOOK_SECRET!, connect: config.STRIPE_CONNECT_WEBHOOK_SECRET! };
    app.use(stripeWebhookRouter({ db, temporal, taskQueue, stripe, log, registry, secrets, applyOnce }));
    app.post('/v1/webhooks/payments', notOnThisRail('PAYMENT_PROVIDER=stripe: money facts come only from Stripe (POST /v1/webhooks/stripe)'));
  } else {
    app.use(webhookRouter({ db, temporal, secret: config.PAYMENTS_WEBHOOK_SECRET, log, registry, taskQueue, applyOnce }));
    app.post(STRIPE_WEBHOOK_PATH, notOnThisRail(`PAYMENT_PROVIDER=${config.PAYMENT_PROVIDER}: Stripe events are not taken`));
  }

  const routes = new ApiRoutes(registry, db, new Idempotency(db, config.IDEMPOTENCY_TTL / 1000, presence), bounded);
  projectRoutes(routes, { db, temporal, config });
  milestoneRoutes(routes, { db, temporal });
  paymentRequestRoutes(routes, { db, temporal, config, payments });
  disputeRoutes(routes, { db, temporal });
  notificationRoutes(routes, { db });
  amendmentRoutes(routes, { temporal });
  bonusRoutes(routes, { temporal, taskQueue, rail: payments.rail });
  const invoicing = invoicingSettings(config);
  feeInvoiceRoutes(routes, { db, invoicing });
  invoiceDraftRoutes(routes, { db, invoicing });
  refundRoutes(routes, { temporal });
  paymentProviderRoutes(routes, { db, temporal, payments });
  codecRoutes(routes, { dataConverter: dataConverterFor(config) });
  const unrouted = BEARER_ROUTES.filter((key) => !routes.registered.has(key));
  if (unrouted.length > 0) throw new Error(`routes in ACCESS_POLICY without a handler: ${unrouted.join(', ')}`);
  app.use('/v1', authenticate(verifier, metrics), rateLimit(perUser, 'user', (req) => req.user && `${req.user.role}:${req.user.id}`));
  // the Web UI's batches of payloads are larger than any request body of ours: their own limit, before the common one
  app.use('/v1/codec', express.json({ limit: CODEC_BODY_LIMIT, type: ['application/json', 'application/*+json'] }));
  app.use(express.json({ limit: '100kb', type: ['application/json', 'application/*+json'] }), bodyTextGuard);
  app.use(routes.router);
  // Generated once every route is registered, so that a schema the generator cannot describe stops the start.
  const openapi = generateDocument(registry);

  app.use((req) => {
    throw new HttpProblem(404, `no route ${req.method} ${req.path}`, 'not-found');
  });
  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    const { problem, unexpected } = toProblem(err);
    if (err instanceof HttpProblem && err.slug === 'bad-signature') metrics.webhookSignatureRejections.inc({ route: routeOf(req, routeTemplates) ?? 'unmatched' });
    if (unexpected) log.error({ err, requestId: res.get('X-Request-Id'), method: req.method, path: req.path }, 'request failed');
    if (res.headersSent) return;
    if (err instanceof HttpProblem && err.headers) res.set(err.headers);
    // Ours to fix, not the caller's: the same request (with its Idempotency-Key) may come back in a second.
    if (problem.status === 503 && !res.get('Retry-After')) res.set('Retry-After', '1');
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  };
  app.use(onError);
  return app;
}
