import { Client, Connection } from '@temporalio/client';
import type { Db } from '../../db/pool';
import { oneLine } from '../fail';
import { log, sleep } from '../topology/log';
import type { MilestoneRun } from './lives';
import type { PaymentProviderSim } from './provider';

const FINAL = ['paid', 'refunded', 'cancelled'];

/**
 * Until nothing can move any more: every life that went on is at a final state, its payouts and refunds confirmed,
 * no open workflow but those of lives that stopped (they fail the checks; waiting for them would only take time).
 */
export async function settle(db: Db, temporalAddress: string, runs: MilestoneRun[], provider: PaymentProviderSim, timeoutMs: number, startedSince?: Date): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection, namespace: 'default' });
  const allowedOpen = new Set(runs.filter((r) => r.stopped).flatMap((r) => [`milestone:${r.milestoneId}`, `project:${r.projectId}`]));
  let last = '';
  try {
    while (Date.now() < deadline) {
      try {
        const ids = runs.filter((r) => !r.stopped && r.milestoneId).map((r) => r.milestoneId!);
        const { rows } = await db.query<{ n: number }>('SELECT count(*) AS n FROM milestones WHERE id = ANY($1) AND NOT (state = ANY($2))', [ids, FINAL]);
        const { rows: moving } = await db.query<{ n: number }>(
          `SELECT (SELECT count(*) FROM refunds WHERE state = 'ordered' AND milestone_id = ANY($1))
                + (SELECT count(*) FROM payouts WHERE state = 'ordered' AND milestone_id = ANY($1)) AS n`,
          [ids],
        );
        const unconfirmed = provider.unconfirmedFor(ids);
        const open: string[] = [];
        // `startedSince`: only the workflows of these lives, on a system other work runs on too
        const query = `ExecutionStatus="Running"${startedSince ? ` AND StartTime >= '${startedSince.toISOString()}'` : ''}`;
        for await (const wf of client.workflow.list({ query })) if (!allowedOpen.has(wf.workflowId)) open.push(wf.workflowId);
        const now = `${rows[0].n} milestone(s) not final, ${moving[0].n} payout(s)/refund(s) in transit, ${unconfirmed} order(s) unconfirmed, ${open.length} workflow(s) open${open.length ? ` (${open.slice(0, 4).join(', ')}${open.length > 4 ? ', …' : ''})` : ''}`;
        if (now !== last) log(`settling: ${now}`);
        last = now;
        if (rows[0].n === 0 && moving[0].n === 0 && unconfirmed === 0 && open.length === 0) return true;
      } catch (err) {
        log(`settling: ${oneLine(err)}`);
      }
      await sleep(2000);
    }
    return false;
  } finally {
    await connection.close();
  }
}
