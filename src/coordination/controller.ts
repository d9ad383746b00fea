import { COORDINATION_LIMITS } from '../limits';
import { componentLogger } from '../log';
import type { ClusterKeys } from './keys';
import type { KeyValue, Lease, MetadataStore, Watch, WatchEvent } from './metadata-store';

const log = componentLogger('controller-election');

/** The controller and its epoch: the store revision at which it took the controller key. */
export interface ControllerInfo {
  brokerId: number;
  epoch: bigint;
}

export interface ControllerElection {
  /** This broker's controller epoch while it is the controller, else null. */
  readonly epoch: bigint | null;
  isController(): boolean;
  /** The controller as last seen (null while there is none). */
  current(): ControllerInfo | null;
  /** Called whenever the known controller changes (this broker winning or losing included). */
  onChange(listener: (controller: ControllerInfo | null) => void): void;
  /** Stops campaigning and gives up the controller key if held. */
  resign(): Promise<void>;
}

export interface ElectionOptions {
  /** Lease TTL of the controller key: how long a dead controller blocks a new election (default clusterLeaseTtlMsDefault). */
  ttlMs?: number;
}

/**
 * Store-neutral controller election: create-if-absent of keys.controller under the candidate's
 * lease, plus a watch that starts a new round when the key is deleted (resign, lease expiry).
 * The key's create revision is the controller epoch: writes made as controller compare
 * keys.controller's modRevision with it (see assignment.ts), so a deposed controller cannot write.
 */
export async function electController(store: MetadataStore, keys: ClusterKeys, brokerId: number,
  options: ElectionOptions = {}): Promise<ControllerElection> {
  const election = new Campaign(store, keys.controller, brokerId, options.ttlMs ?? COORDINATION_LIMITS.clusterLeaseTtlMsDefault);
  await election.start();
  return election;
}

export function controllerFence(keys: ClusterKeys, epoch: bigint) {
  return { key: keys.controller, modRevision: epoch };
}

class Campaign implements ControllerElection {
  private lease: Lease | null = null;
  private watch: Watch | null = null;
  private known: ControllerInfo | null = null;
  private notified = '';
  /** Newest revision of the controller key this campaign has seen (events or its own reads). */
  private seenRevision = 0n;
  private ownEpoch: bigint | null = null;
  private readonly listeners: Array<(controller: ControllerInfo | null) => void> = [];
  private running: Promise<void> | null = null;
  private rerun = false;
  private resigned = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(private readonly store: MetadataStore, private readonly key: string,
    private readonly brokerId: number, private readonly ttlMs: number) {}

  get epoch(): bigint | null {
    return this.ownEpoch;
  }

  async start(): Promise<void> {
    this.watch = await this.store.watch(this.key, (event) => this.onEvent(event));
    await this.campaign();
  }

  isController(): boolean {
    return this.ownEpoch !== null;
  }

  current(): ControllerInfo | null {
    return this.known;
  }

  onChange(listener: (controller: ControllerInfo | null) => void): void {
    this.listeners.push(listener);
  }

  async resign(): Promise<void> {
    this.resigned = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.running;
    await this.watch?.cancel();
    this.ownEpoch = null;
    await this.lease?.revoke();
  }

  /** One campaign round at a time; a request during a round runs one more after it. */
  private campaign(): Promise<void> {
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    this.running = this.round()
      .catch((error) => {
        log.warn({ err: error, brokerId: this.brokerId }, 'controller campaign failed; retrying');
        this.scheduleRetry();
      })
      .finally(() => {
        this.running = null;
        if (this.rerun && !this.resigned) {
          this.rerun = false;
          void this.campaign();
        }
      });
    return this.running;
  }

  private async round(): Promise<void> {
    if (this.resigned || this.ownEpoch !== null) return;
    const lease = this.lease ?? await this.grant();
    const value = JSON.stringify({ brokerId: this.brokerId });
    const result = await this.store.txn([{ key: this.key, modRevision: 0n }], [{ type: 'put', key: this.key, value, leaseId: lease.id }]);
    const holder = result.succeeded ? null : await this.store.get(this.key);
    if (holder && holder.modRevision > this.seenRevision) this.seenRevision = holder.modRevision;
    if (result.succeeded || holder?.leaseId === lease.id) {
      this.ownEpoch = holder?.createRevision ?? result.revision;
      if (this.ownEpoch > this.seenRevision) this.seenRevision = this.ownEpoch;
      log.info({ brokerId: this.brokerId, epoch: this.ownEpoch }, 'elected controller');
      this.setKnown({ brokerId: this.brokerId, epoch: this.ownEpoch });
    } else if (holder === null) {
      this.rerun = true;
    } else {
      this.setKnown(toInfo(holder));
    }
  }

  private async grant(): Promise<Lease> {
    const lease = await this.store.grantLease(this.ttlMs);
    this.lease = lease;
    lease.onLost(() => {
      if (this.lease === lease) this.lease = null;
      if (this.ownEpoch !== null) log.warn({ brokerId: this.brokerId, epoch: this.ownEpoch }, 'controller lease lost');
      this.ownEpoch = null;
      this.setKnown(null);
      void this.campaign();
    });
    return lease;
  }

  private onEvent(event: WatchEvent): void {
    const revision = event.type === 'put' ? event.kv.modRevision : event.modRevision;
    if ((event.type === 'put' ? event.kv.key : event.key) !== this.key || revision <= this.seenRevision) return;
    // The watch may lag behind our own transaction: an event older than what we saw is history.
    this.seenRevision = revision;
    if (event.type === 'put') {
      this.setKnown(toInfo(event.kv));
    } else {
      this.ownEpoch = null;
      this.setKnown(null);
      void this.campaign();
    }
  }

  /**
   * Listeners hear of every change of the controller or of this broker's own status: the watch
   * may report our own win before our transaction returns, and the win must still be announced.
   */
  private setKnown(controller: ControllerInfo | null): void {
    const signature = `${controller?.brokerId}:${controller?.epoch}:${this.ownEpoch}`;
    this.known = controller;
    if (signature === this.notified) return;
    this.notified = signature;
    for (const listener of this.listeners) {
      try {
        listener(controller);
      } catch (error) {
        log.error({ err: error }, 'controller change listener threw');
      }
    }
  }

  private scheduleRetry(): void {
    if (this.resigned || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.campaign();
    }, Math.min(COORDINATION_LIMITS.clusterRetryDelayMsMax, Math.max(50, Math.floor(this.ttlMs / 4))));
    this.retryTimer.unref();
  }
}

function toInfo(kv: KeyValue): ControllerInfo {
  return { brokerId: (JSON.parse(kv.value) as { brokerId: number }).brokerId, epoch: kv.createRevision };
}
