import { z } from 'zod';
import { REFUND_ID_MAX_LENGTH } from '../../workflows/refund/contract';
import { Amount, Currency, Id, PlainText } from '../schemas/common';

// The provider's ids are text of its own making: any characters but controls (the document states it).
const EventId = PlainText(1, 100);
const PayoutId = PlainText(1, 100);
const RefundId = PlainText(1, REFUND_ID_MAX_LENGTH);

export const WebhookEvent = z
  .discriminatedUnion('type', [
    z.object({
      id: EventId,
      type: z.literal('deposit.succeeded'),
      data: z.object({ milestoneId: Id, amount: Amount, currency: Currency, reference: PlainText(1, 200) }),
    }),
    z.object({ id: EventId, type: z.literal('payout.paid'), data: z.object({ payoutId: PayoutId }) }),
    z.object({
      id: EventId,
      type: z.literal('payout.failed'),
      data: z.object({ payoutId: PayoutId, reason: PlainText(0, 500).default('unspecified') }),
    }),
    z.object({ id: EventId, type: z.literal('refund.paid'), data: z.object({ refundId: RefundId }) }),
    z.object({
      id: EventId,
      type: z.literal('refund.failed'),
      data: z.object({ refundId: RefundId, reason: PlainText(0, 500).default('unspecified') }),
    }),
  ])
  .meta({ id: 'PaymentEvent' });
export type WebhookEvent = z.infer<typeof WebhookEvent>;

export const WebhookAck = z
  .strictObject({ received: z.literal(true), eventId: z.string(), outcome: z.string() })
  .meta({ id: 'WebhookAck' });
