import { CancellationScope, condition } from '@temporalio/workflow';

/**
 * Runs side effects one after another, in the order they were queued, while state changes stay synchronous in the
 * handlers (so a validator that runs next already sees them). Deterministic: plain promises only.
 *
 * Two ways to start the next effect. Without `starts` (runs recorded before the patch), it starts as soon as the
 * previous one settles — and so the order of commands depends on whether that settlement came in the same activation
 * as the handler that queued the next one. Temporal's Core does not always deliver it the same way live and in
 * replay (an activity completing in a workflow task that issues no command, followed by a task carrying an update:
 * temporalio/sdk-core#1146), so that order is not reproducible. With `starts`, effects start only in rounds run once
 * the activation's jobs are applied, each queue's next effect in the queues' fixed order: the same commands in the
 * same order whichever way the activation was cut.
 */
export class SerialEffects {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private readonly waiting: Array<() => Promise<unknown>> = [];
  private running = false;

  constructor(private readonly starts?: OrderedStarts) {}

  run<T>(effect: () => Promise<T>): Promise<T> {
    this.pending += 1;
    if (!this.starts) return this.runAfterTail(effect);
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => new Promise<T>((started) => started(effect())).then(resolve, reject));
      this.starts!.schedule();
    });
  }

  /** Resolves once every effect queued so far has run. */
  flush(): Promise<void> {
    return this.run(() => Promise.resolve());
  }

  get idle(): boolean {
    return this.pending === 0;
  }

  /** Starts the next effect unless one is running (a round of `OrderedStarts`). */
  startNext(): void {
    const next = this.running ? undefined : this.waiting.shift();
    if (!next) return;
    this.running = true;
    void next().finally(() => {
      this.running = false;
      this.pending -= 1;
      if (this.waiting.length > 0) this.starts!.schedule();
    });
  }

  private runAfterTail<T>(effect: () => Promise<T>): Promise<T> {
    const result = this.tail.then(effect);
    this.tail = result.then(
      () => (this.pending -= 1),
      () => (this.pending -= 1),
    );
    return result;
  }
}

/**
 * Starts the queues' next effects in rounds, in the order the queues were made (see `SerialEffects`).
 *
 * With `quiet`, a round also waits until it holds. The milestone passes "no local activity running": a local
 * activity that outlasts 80% of its workflow task's timeout makes Core complete that task and open another (a
 * heartbeat), and an update or signal waiting meanwhile is delivered while it still runs; replay, which reads its
 * marker from the later task, resolves it in the same activation as that update. A round started in between would
 * see its queue busy live and idle in replay.
 */
export class OrderedStarts {
  private scheduled = false;
  private readonly queues: SerialEffects[] = [];

  constructor(private readonly quiet?: () => boolean) {}

  queue(): SerialEffects {
    const queue = new SerialEffects(this);
    this.queues.push(queue);
    return queue;
  }

  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const round = () => {
      this.scheduled = false;
      for (const queue of this.queues) queue.startNext();
    };
    // Without `quiet`, exactly the chain the runs recorded before it were started with (not one microtask more).
    if (!this.quiet) void activationSettled().then(round);
    else void activationSettled().then(() => CancellationScope.nonCancellable(() => condition(this.quiet!))).then(round);
  }
}

/**
 * Resolves once the current activation's jobs are all applied and the microtasks they started have run: a condition
 * is evaluated again only after the microtask queue drains, and its flag is set by a microtask, so it cannot hold
 * during the jobs. Not cancellable: a round must never be lost with a cancelled scope.
 */
function activationSettled(): Promise<void> {
  return CancellationScope.nonCancellable(() => {
    let drained = false;
    void Promise.resolve().then(() => (drained = true));
    return condition(() => drained);
  });
}

/**
 * Leaves an effect on its queue without waiting for it: it runs in the order it was queued, after the effects
 * before it, while the handler goes on. Awaiting it instead would change how handlers interleave with the effects,
 * and the recorded histories of running milestones would no longer replay.
 */
export function queued(effect: Promise<unknown>): void {
  void effect;
}
