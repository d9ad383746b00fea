import type { Etcd3, Lease as Etcd3Lease } from 'etcd3';
import { componentLogger } from '../../log';
import type { Lease, LeaseOptions } from '../metadata-store';
import { toCoordinationError } from './etcd-client';

const log = componentLogger('etcd-lease');

/**
 * An etcd lease. etcd3 reports a lost lease only ~2 TTLs after the last renewal; a broker must
 * stop acting on its keys as soon as etcd may have deleted them, so a local watchdog declares the
 * lease lost once ttlMs passes without a confirmed renewal (keepAlive) or after ttlMs (no keepAlive).
 */
export class EtcdLease implements Lease {
  private readonly lostListeners: Array<() => void> = [];
  private readonly watchdog: NodeJS.Timeout;
  private renewedAtMs: number;
  private firedAtMs: number;
  private ended = false;

  private constructor(
    readonly id: string,
    readonly ttlMs: number,
    private readonly inner: Etcd3Lease,
    grantSentAtMs: number,
    private readonly onEnd: (lease: EtcdLease) => void,
  ) {
    this.renewedAtMs = grantSentAtMs;
    this.firedAtMs = grantSentAtMs;
    inner.on('keepaliveFired', () => { this.firedAtMs = Date.now(); });
    // A renewal resets the TTL at the server no earlier than when its request left.
    inner.on('keepaliveSucceeded', () => { this.renewedAtMs = this.firedAtMs; });
    inner.on('lost', () => this.lose('etcd reported the lease lost'));
    this.watchdog = setInterval(() => {
      if (Date.now() - this.renewedAtMs >= ttlMs) this.lose(`no renewal confirmed for ${ttlMs} ms`);
    }, Math.max(10, Math.floor(ttlMs / 10)));
    this.watchdog.unref();
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
    return new EtcdLease(id, ttlMs, inner, grantSentAtMs, onEnd);
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
