import { z } from 'zod';
import { REFUND_ID_MAX_LENGTH, type RefundStatus } from '../../workflows/refund/contract';
import { describes, PlainText } from '../schemas/common';

/**
 * Refund ids embed a payment provider's event id for stray deposits, so they are wider than other ids, and hold any
 * text but control characters (refused in every URL, api/middleware/url-guard.ts: the document says so).
 */
export const RefundParams = z.object({ refundId: PlainText(1, REFUND_ID_MAX_LENGTH) });

export const RefundStatusView = describes<RefundStatus>()(
  z.strictObject({
    refundId: z.string(),
    state: z.enum(['ordered', 'paid', 'failed']),
    attempt: z.number().int(),
    failureReason: z.string().optional(),
  }).meta({ id: 'RefundStatus' }),
);
