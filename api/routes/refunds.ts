import type { Client } from '@temporalio/client';
import { refundWorkflowId, retryRefundUpdate } from '../../workflows/refund/contract';
import type { ApiRoutes } from '../route';
import { RefundParams, RefundStatusView } from './refunds.schemas';

/** Finance staff (the platform role) order a failed refund again once the client's bank details are fixed. */
export function refundRoutes(routes: ApiRoutes, { temporal }: { temporal: Client }): void {
  routes.add({
    route: 'POST /v1/refunds/:refundId/retry',
    summary: 'Order a failed refund again',
    params: RefundParams,
    responses: { 200: { description: 'the refund, ordered again', schema: RefundStatusView } },
  }).handle(async ({ access: { refund } }) => {
    const status = await temporal.workflow.getHandle(refundWorkflowId(refund.id)).executeUpdate(retryRefundUpdate);
    return { status: 200, body: status };
  });
}
