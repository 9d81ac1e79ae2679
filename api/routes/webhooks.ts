import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Client } from '@temporalio/client';
import express, { type Request } from 'express';
import { findRequestByPayoutId } from '../../db/payment-requests';
import type { Db } from '../../db/pool';
import { findMilestone, findProject } from '../../db/projects';
import type { Logger } from '../../lib/logger';
import { endedIsIgnored } from '../../lib/workflow-signals';
import { deliverDeposit } from '../deposits';
import type { ApplyOnce } from '../event-once';
import { findRefund } from '../../db/refunds';
import { milestoneWorkflowId, payoutSettledSignal } from '../../workflows/milestone/contract';
import { refundSettledSignal, refundWorkflowId } from '../../workflows/refund/contract';
import { HttpProblem } from '../problem';
import { problemResponses, responseConfig } from '../openapi';
import { assertText } from '../middleware/text-guard';
import { verifySignature } from '../../lib/webhook-signature';
import { WebhookAck, WebhookEvent } from './webhooks.schemas';

export interface WebhookDeps {
  db: Db;
  temporal: Client;
  secret: string;
  log: Logger;
  registry: OpenAPIRegistry;
  taskQueue: string;
  applyOnce: ApplyOnce;
}

const PATH = '/v1/webhooks/payments';

function documentPaymentWebhook(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'post',
    path: PATH,
    summary: 'Payment-provider events (Payment-Signature: t=…,v1=HMAC-SHA256 of "t.body")',
    security: [{ paymentSignature: [] }],
    request: { body: { content: { 'application/json': { schema: WebhookEvent } } } },
    responses: {
      200: responseConfig({ description: 'applied, or seen before, or about nothing we know', schema: WebhookAck }),
      ...problemResponses([400, 401, 413, 415, 422, 429, 503]),
    },
  });
}

/** The payment provider's signed events: verified on the raw body, each event id applied at most once. */
export function webhookRouter({ db, temporal, secret, log, registry, taskQueue, applyOnce }: WebhookDeps) {
  documentPaymentWebhook(registry);

  /** Applies one event; returns its outcome, or throws HttpProblem to refuse it with no effect. */
  async function apply(event: WebhookEvent): Promise<string> {
    switch (event.type) {
      case 'deposit.succeeded': {
        const milestone = await findMilestone(db, event.data.milestoneId);
        if (!milestone) return 'ignored: unknown milestone';
        const project = (await findProject(db, milestone.projectId))!;
        if (project.formula !== 'r0') {
          throw new HttpProblem(422, 'this project uses the basic formula: the platform does not handle its payment', 'payment-not-handled');
        }
        if (event.data.currency !== project.currency) {
          throw new HttpProblem(422, `the deposit is in ${event.data.currency}, the project in ${project.currency}`, 'currency-mismatch');
        }
        return deliverDeposit(temporal, taskQueue, { project, milestoneId: milestone.id, eventId: event.id, amount: event.data.amount, reference: event.data.reference });
      }
      case 'payout.paid':
      case 'payout.failed': {
        const request = await findRequestByPayoutId(db, event.data.payoutId);
        if (!request) return 'ignored: unknown payout';
        const signalled = await endedIsIgnored(
          temporal.workflow.getHandle(milestoneWorkflowId(request.milestone_id)).signal(payoutSettledSignal, {
            eventId: event.id,
            payoutId: event.data.payoutId,
            outcome: event.type === 'payout.paid' ? 'paid' : 'failed',
            reason: event.type === 'payout.failed' ? event.data.reason : undefined,
          }),
        );
        return signalled ? 'applied' : 'ignored: the milestone of this payout has ended';
      }
      case 'refund.paid':
      case 'refund.failed': {
        const refund = await findRefund(db, event.data.refundId);
        if (!refund) return 'ignored: unknown refund';
        const signalled = await endedIsIgnored(
          temporal.workflow.getHandle(refundWorkflowId(refund.id)).signal(refundSettledSignal, {
            eventId: event.id,
            outcome: event.type === 'refund.paid' ? 'paid' : 'failed',
            reason: event.type === 'refund.failed' ? event.data.reason : undefined,
          }),
        );
        return signalled ? 'applied' : 'ignored: this refund has ended';
      }
    }
  }

  const router = express.Router();
  router.post(PATH, express.raw({ type: () => true, limit: '100kb' }), async (req: Request, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!verifySignature(secret, req.get('payment-signature'), raw)) {
      throw new HttpProblem(401, 'missing, wrong or stale Payment-Signature', 'bad-signature');
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new HttpProblem(400, 'the body is not valid JSON', 'invalid-input');
    }
    // The event as we read it: fields we do not know are allowed (the provider may add some) and left out, so that
    // only what is read and stored must be text PostgreSQL takes.
    const event = WebhookEvent.parse(json);
    assertText(event);
    const outcome = await applyOnce({ id: event.id, type: event.type, payload: event }, () => apply(event));
    if (outcome.startsWith('ignored')) log.warn({ eventId: event.id, type: event.type, outcome }, 'webhook event without effect');
    res.status(200).json({ received: true, eventId: event.id, outcome });
  });
  return router;
}
