/**
 * Tasks of one log that must not overlap (writes, rolls, truncation, retention, close), run one
 * at a time in call order. `idle` says whether none is queued or running, so a caller may do the
 * common case at once, with no promise (WalPartitionLog.flushPending).
 */
export class SerialTasks {
  private tail: Promise<unknown> = Promise.resolve();
  /** Tasks queued and not yet settled. */
  private depth = 0;
  private readonly settled = (): void => {
    this.depth--;
  };

  get idle(): boolean {
    return this.depth === 0;
  }

  /** Runs `task` after every task queued before it has settled (fulfilled or rejected). */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.depth++;
    const run = this.tail.then(task, task);
    this.tail = run.then(this.settled, this.settled);
    return run;
  }
}
