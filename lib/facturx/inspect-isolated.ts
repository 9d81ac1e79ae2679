/**
 * Inspects uploaded PDFs in a worker thread with its own heap limit and a deadline, one at a time: a file built to
 * make the PDF parser or the XML validator spin or swell ends that thread (and reads as "unreadable"), never the
 * API's event loop or its memory. The thread starts on the first upload and ends after a quiet spell.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { InvoiceInspection } from './inspect';

export type IsolatedInspection = InvoiceInspection | { kind: 'unreadable-pdf'; reason: string };

export interface InspectionLimits {
  timeoutMs: number;
  /** the thread's JavaScript heap */
  maxHeapMb: number;
  /**
   * how much the process may grow while a file is read: decoded streams live outside the heap (ArrayBuffers), where
   * the thread's heap limit does not reach, so the process's resident size is watched instead
   */
  maxGrowthMb: number;
  idleMs: number;
}

export const DEFAULT_INSPECTION_LIMITS: InspectionLimits = { timeoutMs: 15_000, maxHeapMb: 256, maxGrowthMb: 512, idleMs: 10_000 };
const WATCH_EVERY_MS = 20;

// The thread runs the TypeScript sources as the API does: through tsx, registered in the thread itself.
const BOOTSTRAP = "const { workerData } = require('node:worker_threads'); require(workerData.tsx).register(); require(workerData.entry);";

type Reply = { id: number; inspection: InvoiceInspection } | { id: number; error: string };

export class IsolatedInvoiceInspector {
  private worker?: Worker;
  private queue: Promise<unknown> = Promise.resolve();
  private idleTimer?: NodeJS.Timeout;
  private lastId = 0;

  constructor(private readonly limits: InspectionLimits = DEFAULT_INSPECTION_LIMITS) {}

  inspect(pdf: Uint8Array): Promise<IsolatedInspection> {
    const run = this.queue.then(() => this.runOne(pdf));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Ends the thread now (tests, shutdown); the next inspection starts another. */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private spawn(): Worker {
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: { tsx: require.resolve('tsx/cjs/api'), entry: path.join(__dirname, 'inspect-worker.ts') },
      resourceLimits: { maxOldGenerationSizeMb: this.limits.maxHeapMb, maxYoungGenerationSizeMb: 32 },
      stdout: false,
      stderr: false,
    });
    worker.unref();
    // a thread that dies between uploads is simply replaced; its error must not become an unhandled 'error' event
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
    });
    return worker;
  }

  private runOne(pdf: Uint8Array): Promise<IsolatedInspection> {
    clearTimeout(this.idleTimer);
    const worker = (this.worker ??= this.spawn());
    const id = ++this.lastId;
    const { timeoutMs, maxHeapMb, maxGrowthMb } = this.limits;
    const rssBefore = process.memoryUsage.rss();
    return new Promise<IsolatedInspection>((resolve, reject) => {
      const settle = (outcome: () => void) => {
        clearTimeout(deadline);
        clearInterval(watch);
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        this.idleTimer = setTimeout(() => void this.close(), this.limits.idleMs).unref();
        outcome();
      };
      const unreadable = (reason: string) => {
        if (this.worker === worker) this.worker = undefined;
        void worker.terminate();
        settle(() => resolve({ kind: 'unreadable-pdf', reason }));
      };
      const onMessage = (reply: Reply) => {
        if (reply.id !== id) return;
        settle(() => ('error' in reply ? reject(new Error(`invoice inspection failed: ${reply.error}`)) : resolve(reply.inspection)));
      };
      const onError = (error: Error & { code?: string }) =>
        unreadable(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `reading it needs more than ${maxHeapMb} MB` : `the reader failed: ${error.message}`);
      const onExit = () => unreadable('the reader stopped');
      const deadline = setTimeout(() => unreadable(`reading it takes more than ${timeoutMs / 1000} s`), timeoutMs);
      const watch = setInterval(() => {
        if (process.memoryUsage.rss() - rssBefore > maxGrowthMb * 1024 * 1024) unreadable(`reading it needs more than ${maxGrowthMb} MB`);
      }, WATCH_EVERY_MS);
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      const copy = new Uint8Array(pdf); // the caller keeps its buffer; the copy is moved to the thread
      worker.postMessage({ id, pdf: copy }, [copy.buffer]);
    });
  }
}
