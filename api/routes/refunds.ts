import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Db } from '../../db/pool';
import { findRefund } from '../../db/refunds';
import { refundWorkflowId, retryRefundUpdate } from '../../workflows/refund/contract';
import { HttpProblem } from '../problem';
import type { ApiRoutes } from '../route';

/** Finance staff (the platform role) order a failed refund again once the client's bank details are fixed. */
export function refundRoutes(routes: ApiRoutes, { db, temporal }: { db: Db; temporal: Client }): void {
  routes.add({
    method: 'post',
    path: '/v1/refunds/:refundId/retry',
    summary: 'Order a failed refund again',
    roles: ['platform'],
    params: z.object({ refundId: z.string().min(1).max(200) }),
    responses: { 200: { description: 'the refund, ordered again' } },
    handler: async ({ params }) => {
      const refund = await findRefund(db, params.refundId);
      if (!refund) throw new HttpProblem(404, `no refund ${params.refundId}`, 'not-found');
      const status = await temporal.workflow.getHandle(refundWorkflowId(refund.id)).executeUpdate(retryRefundUpdate);
      return { status: 200, body: status };
    },
  });
}
