import { componentLogger } from '../../log';
import type { Lease } from '../metadata-store';

const log = componentLogger('embedded-lease');

/**
 * A lease of the embedded store. Its owner is this process: with keepAlive it lives until
 * revoked or the store closes (a crash ends it too, see recovery); without, a timer expires it.
 */
export class EmbeddedLease implements Lease {
  private readonly lostListeners: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private ended = false;

  constructor(
    readonly id: string,
    readonly ttlMs: number,
    private readonly end: (lease: EmbeddedLease) => Promise<void>,
  ) {}

  /** Starts the expiry timer (leases without keepAlive). */
  expireAfterTtl(onExpire: (lease: EmbeddedLease) => void): void {
    this.timer = setTimeout(() => onExpire(this), this.ttlMs);
    this.timer.unref();
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** The embedded store lives in this process: its leases are current until they end. */
  isCurrent(): boolean {
    return !this.ended;
  }

  onLost(listener: () => void): void {
    this.lostListeners.push(listener);
  }

  revoke(): Promise<void> {
    return this.end(this);
  }

  /** Marks the lease ended; returns false if it already was. */
  markEnded(): boolean {
    if (this.ended) return false;
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    return true;
  }

  notifyLost(): void {
    for (const listener of this.lostListeners.splice(0)) {
      try {
        listener();
      } catch (error) {
        log.error({ err: error, leaseId: this.id }, 'lease lost listener threw');
      }
    }
  }
}
