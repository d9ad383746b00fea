import type { Etcd3, Lease as Etcd3Lease } from 'etcd3';
import { COORDINATION_LIMITS } from '../../limits';
import { componentLogger } from '../../log';
import type { Lease, LeaseOptions } from '../metadata-store';
import { toCoordinationError } from './etcd-client';

const log = componentLogger('etcd-lease');

/**
 * An etcd lease. A holder must stop acting on its keys as soon as etcd may have deleted them,
 * so the lease is current only while a renewal was confirmed within ttlMs (isCurrent).
 *
 * Overdue is not lost: when etcd's raft leader dies, renewals go unanswered until a new leader
 * is elected (an election timeout or two) and the client reaches a live member, which can take
 * longer than a short TTL; but the new leader extends every lease by its TTL when it takes over
 * (etcd lessor Promote), so the keys are still there. Declaring the lease lost then, and
 * revoking it, would delete a live broker's registration and make the controller move its
 * partitions away from their only up-to-date copy. So an overdue lease only stops being
 * current; it is lost when etcd says so: a renewal answered with TTL 0, or etcd3's own bound of
 * 2 TTLs without one (lease.js keepalive()), or COORDINATION_LIMITS.leaseOverdueTtlsMax TTLs on the
 * watchdog here. A lease without keepAlive is never renewed: it is lost once its TTL passes.
 */
export class EtcdLease implements Lease {
  private readonly lostListeners: Array<() => void> = [];
  private readonly watchdog: NodeJS.Timeout;
  private renewedAtMs: number;
  /** Send times of the renewals in flight on the current stream, oldest first (etcd answers them in order). */
  private inFlightSentAtMs: number[] = [];
  private overdue = false;
  private ended = false;

  private constructor(
    readonly id: string,
    readonly ttlMs: number,
    private readonly inner: Etcd3Lease,
    grantSentAtMs: number,
    private readonly keptAlive: boolean,
    private readonly onEnd: (lease: EtcdLease) => void,
  ) {
    this.renewedAtMs = grantSentAtMs;
    inner.on('keepaliveFired', () => { this.inFlightSentAtMs.push(Date.now()); });
    // A renewal resets the TTL at the server no earlier than when its request left.
    inner.on('keepaliveSucceeded', () => this.renewed(this.inFlightSentAtMs.shift()));
    // A failed stream is torn down: its unanswered renewals will never be answered.
    inner.on('keepaliveFailed', () => { this.inFlightSentAtMs = []; });
    inner.on('lost', () => this.lose('etcd reported the lease lost'));
    this.watchdog = setInterval(() => this.check(), Math.max(10, Math.floor(ttlMs / 10)));
    this.watchdog.unref();
  }

  isCurrent(): boolean {
    return !this.ended && Date.now() - this.renewedAtMs < this.ttlMs;
  }

  static async grant(client: Etcd3, ttlMs: number, options: LeaseOptions, onEnd: (lease: EtcdLease) => void): Promise<EtcdLease> {
    const grantSentAtMs = Date.now();
    // etcd TTLs are whole seconds (and etcd raises them to its minimum, about 2 s).
    const inner = client.lease(Math.max(1, Math.ceil(ttlMs / 1000)), { autoKeepAlive: options.keepAlive !== false });
    inner.on('lost', () => undefined);
    let id: string;
    try {
      id = await inner.grant();
    } catch (error) {
      inner.release();
      throw toCoordinationError(error, 'grant lease');
    }
    return new EtcdLease(id, ttlMs, inner, grantSentAtMs, options.keepAlive !== false, onEnd);
  }

  onLost(listener: () => void): void {
    this.lostListeners.push(listener);
  }

  async revoke(): Promise<void> {
    if (!this.end()) return;
    try {
      await this.inner.revoke();
    } catch (error) {
      throw toCoordinationError(error, `revoke lease ${this.id}`);
    }
  }

  private renewed(sentAtMs: number | undefined): void {
    if (sentAtMs === undefined) return;
    this.renewedAtMs = Math.max(this.renewedAtMs, sentAtMs);
    if (this.overdue && this.isCurrent()) {
      this.overdue = false;
      log.info({ leaseId: this.id }, 'lease renewed again: acting on it again');
    }
  }

  private check(): void {
    const sinceMs = Date.now() - this.renewedAtMs;
    const lostAfterMs = this.keptAlive ? COORDINATION_LIMITS.leaseOverdueTtlsMax * this.ttlMs : this.ttlMs;
    if (sinceMs >= lostAfterMs) {
      this.lose(`no renewal confirmed for ${sinceMs} ms`);
    } else if (sinceMs >= this.ttlMs && !this.overdue) {
      this.overdue = true;
      log.warn({ leaseId: this.id, ttlMs: this.ttlMs }, 'lease renewal overdue: not acting on it until etcd confirms a renewal');
    }
  }

  private lose(reason: string): void {
    if (!this.end()) return;
    log.warn({ leaseId: this.id, reason }, 'lease lost');
    // The keys may still be there until etcd expires them: revoke so they go now, if etcd is reachable.
    this.inner.revoke().catch(() => undefined);
    for (const listener of this.lostListeners.splice(0)) {
      try {
        listener();
      } catch (error) {
        log.error({ err: error, leaseId: this.id }, 'lease lost listener threw');
      }
    }
  }

  private end(): boolean {
    if (this.ended) return false;
    this.ended = true;
    clearInterval(this.watchdog);
    this.onEnd(this);
    return true;
  }
}
