/** A worker process running the next version of the workflow code (workflows.ts beside this file). */
import { runWorker } from '../../../worker/run';

runWorker(require.resolve('./workflows')).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
