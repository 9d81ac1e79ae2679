import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express, { type Request } from 'express';
import type Stripe from 'stripe';
import { z } from 'zod';
import { SIGNATURE_TOLERANCE_S } from '../../lib/webhook-signature';
import type { ApplyOnce } from '../event-once';
import { problemResponses, responseConfig } from '../openapi';
import { HttpProblem } from '../problem';
import { stripeEventHandler, type StripeEventDeps } from '../stripe-events';
import { WebhookAck } from './webhooks.schemas';

export const STRIPE_WEBHOOK_PATH = '/v1/webhooks/stripe';

export interface StripeWebhookDeps extends StripeEventDeps {
  registry: OpenAPIRegistry;
  /** the platform account's endpoint secret, and the Connect endpoint's (Stripe gives each endpoint its own) */
  secrets: { account: string; connect: string };
  applyOnce: ApplyOnce;
}

const StripeEventBody = z
  .looseObject({ id: z.string(), object: z.literal('event'), type: z.string(), account: z.string().optional(), data: z.looseObject({ object: z.looseObject({}) }) })
  .meta({ id: 'StripeEvent', description: "Stripe's event object (https://docs.stripe.com/api/events/object)" });

/** Which endpoint secret signs an event: Connect events (about a connected account) carry `account`. */
function secretFor(raw: Buffer, secrets: StripeWebhookDeps['secrets']): string {
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && typeof (parsed as { account?: unknown }).account === 'string' ? secrets.connect : secrets.account;
  } catch {
    return secrets.account;
  }
}

function documentStripeWebhook(registry: OpenAPIRegistry): void {
  registry.registerComponent('securitySchemes', 'stripeSignature', {
    type: 'apiKey',
    in: 'header',
    name: 'Stripe-Signature',
    description: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the endpoint secret (STRIPE_WEBHOOK_SECRET, or STRIPE_CONNECT_WEBHOOK_SECRET for Connect events)>',
  });
  registry.registerPath({
    method: 'post',
    path: STRIPE_WEBHOOK_PATH,
    summary: 'Stripe events (Stripe-Signature: t=…,v1=HMAC-SHA256 of "t.body" with the endpoint secret)',
    security: [{ stripeSignature: [] }],
    request: { body: { content: { 'application/json': { schema: StripeEventBody } } } },
    responses: {
      200: responseConfig({ description: 'applied, or seen before, or not acted on', schema: WebhookAck }),
      ...problemResponses([400, 401, 413, 415, 429, 503]),
    },
  });
}

/** Stripe's signed events: verified by the SDK on the raw body, each event id applied at most once. */
export function stripeWebhookRouter(deps: StripeWebhookDeps) {
  const { log, registry, stripe, secrets, applyOnce } = deps;
  documentStripeWebhook(registry);
  const apply = stripeEventHandler(deps);

  const router = express.Router();
  router.post(STRIPE_WEBHOOK_PATH, express.raw({ type: () => true, limit: '256kb' }), async (req: Request, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let event: Stripe.Event;
    try {
      event = stripe.webhooks.constructEvent(raw, req.get('stripe-signature') ?? '', secretFor(raw, secrets), SIGNATURE_TOLERANCE_S);
    } catch {
      throw new HttpProblem(401, 'missing, wrong or stale Stripe-Signature', 'bad-signature');
    }
    // A genuine event may hold any text Stripe took (a cardholder's name): it is stored without NUL, which jsonb refuses,
    // rather than refused, which Stripe would send again for days.
    const stored = JSON.parse(raw.toString('utf8').replace(/\\u0000/g, '')) as unknown;
    const outcome = await applyOnce({ id: event.id, type: event.type, payload: stored }, () => apply(event));
    if (outcome.startsWith('ignored')) log.info({ eventId: event.id, type: event.type, account: event.account, outcome }, 'stripe event without effect');
    res.status(200).json({ received: true, eventId: event.id, outcome });
  });
  return router;
}
