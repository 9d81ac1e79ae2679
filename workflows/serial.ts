/**
 * Runs side effects one after another, in the order they were queued, while state changes stay synchronous in the
 * handlers (so a validator that runs next already sees them). Deterministic: plain promises only.
 */
export class SerialEffects {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  run<T>(effect: () => Promise<T>): Promise<T> {
    this.pending += 1;
    const result = this.tail.then(effect);
    this.tail = result.then(
      () => (this.pending -= 1),
      () => (this.pending -= 1),
    );
    return result;
  }

  /** Resolves once every effect queued so far has run. */
  flush(): Promise<void> {
    return this.run(() => Promise.resolve());
  }

  get idle(): boolean {
    return this.pending === 0;
  }
}

/**
 * Leaves an effect on its queue without waiting for it: it runs in the order it was queued, after the effects
 * before it, while the handler goes on. Awaiting it instead would change how handlers interleave with the effects,
 * and the recorded histories of running milestones would no longer replay.
 */
export function queued(effect: Promise<unknown>): void {
  void effect;
}
