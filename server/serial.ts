// Per-subject serialization inside one instance: decisions, wake-ups and review verdicts about
// the same subject run one after another, so that the store's optimistic check (the subject's
// version) only ever fails because of another instance — never because two requests of this
// one raced each other. Different subjects run concurrently.

/** Runs tasks one at a time per key, in arrival order; keys are independent. */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` after every earlier task of `key` has settled; resolves or rejects as it does. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key);
    const result = prev === undefined ? task() : prev.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** How many keys have work queued or running. */
  get size(): number {
    return this.tails.size;
  }
}
