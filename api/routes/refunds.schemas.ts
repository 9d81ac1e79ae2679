import { z } from 'zod';
import type { RefundStatus } from '../../workflows/refund/contract';

/** Refund ids embed a payment provider's event id for stray deposits, so they are wider than other ids. */
export const RefundParams = z.object({ refundId: z.string().min(1).max(200) });

export const RefundStatusView = z
  .strictObject({
    refundId: z.string(),
    state: z.enum(['ordered', 'paid', 'failed']),
    attempt: z.number().int(),
    failureReason: z.string().optional(),
  })
  .meta({ id: 'RefundStatus' }) satisfies z.ZodType<RefundStatus>;
