/** The worker thread of `inspect-isolated.ts`: inspects one PDF per message, in order. */
import { parentPort } from 'node:worker_threads';
import { inspectInvoicePdf } from './inspect';

parentPort?.on('message', (job: { id: number; pdf: Uint8Array }) => {
  inspectInvoicePdf(job.pdf).then(
    (inspection) => parentPort?.postMessage({ id: job.id, inspection }),
    (error: unknown) => parentPort?.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
