/** A clock tests move by hand: timers fire in due order when `advance` passes them. */
import type { Clock, Timer } from '../../../src/broker/groups/clock';

interface Scheduled {
  dueMs: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class FakeClock implements Clock {
  private current = 1_000_000;
  private seq = 0;
  private timers: Scheduled[] = [];

  nowMs(): number {
    return this.current;
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    const timer: Scheduled = { dueMs: this.current + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }

  /** Moves time forward, firing every timer due on the way (timers set by timers included). */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      const due = this.timers.filter((t) => t.dueMs <= target).sort((a, b) => a.dueMs - b.dueMs || a.seq - b.seq)[0];
      if (!due) break;
      this.current = Math.max(this.current, due.dueMs);
      due.cancelled = true;
      due.fn();
      await flush();
    }
    this.current = target;
    await flush();
  }

  pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}

/** Lets resolved promises run their continuations. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
