import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';

/** The activities as the milestone workflow sees them: types only, retried until they succeed. */
export const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '1m', nonRetryableErrorTypes: ['LedgerRejected'] },
});
