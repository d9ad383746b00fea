/**
 * Time as the group coordinator sees it: injectable so the state machine's timeouts (session,
 * rebalance, initial delay) are unit-tested without sleeping.
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  nowMs(): number;
  /** Runs `fn` once after `delayMs` unless cancelled first. */
  setTimer(delayMs: number, fn: () => void): Timer;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  setTimer(delayMs, fn) {
    // Group timers never keep the process alive on their own: the broker's sockets do.
    const handle = setTimeout(fn, delayMs);
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};
