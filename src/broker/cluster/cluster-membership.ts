/**
 * A broker's part in a multi-broker cluster (metadata.store etcd): it watches the cluster
 * state, registers under a lease once its listener is bound, campaigns for controller and runs
 * the partition assigner (which acts only while this broker is the controller).
 *
 * Ownership: a partition log opened here is closed as soon as its assignment names another
 * broker or a new leader epoch, so a later request reopens it from object storage at the
 * current end. While lease renewals are overdue it serves nothing; losing the lease closes every
 * owned partition at once, and the broker then registers again under a new lease (the controller
 * has moved its partitions by then).
 */
import { type BrokerState, type RegisteredBroker, registerBroker } from '../../coordination/broker-registry';
import { type ClusterState, watchClusterState } from '../../coordination/cluster-state';
import { type ControllerElection, electController } from '../../coordination/controller';
import type { ClusterKeys } from '../../coordination/keys';
import type { MetadataStore, Watch } from '../../coordination/metadata-store';
import { type PartitionAssigner, startPartitionAssigner } from '../../coordination/partition-assigner';
import { parseAssignmentKey } from '../../coordination/assignment';
import { CLUSTER_SERVING_LIMITS } from '../../limits';
import { componentLogger } from '../../log';
import type { PartitionRegistry } from '../partitions/partition-registry';
import type { BrokerNode } from './cluster-view';
import { type DrainRecord, drainKey, writeDrain } from './drain';
import { LoadReporter, type LoadSource } from './load-reporter';
import { HandoffResponder } from './partition-handoff';
import { type LeaseHolder, StoreClusterView } from './store-cluster-view';

const log = componentLogger('cluster-membership');

export interface MembershipOptions {
  leaseTtlMs: number;
}

/** Uploads everything pending to object storage (the tier's loops, once each). */
export interface TierFlusher {
  uploadAll(): Promise<void>;
  /** Offset after the partition's last batch recorded in object storage (where a new owner continues), or null. */
  uploadedEnd?(topicId: string, partition: number): bigint | null;
}

export class ClusterMembership implements LeaseHolder {
  readonly view: StoreClusterView;
  private registration: RegisteredBroker | null = null;
  private election: ControllerElection | null = null;
  private assigner: PartitionAssigner | null = null;
  private partitions: PartitionRegistry | null = null;
  /** Epoch of each partition this broker was last seen owning: "topic/partition" -> leader epoch. */
  private readonly owned = new Map<string, number>();
  private lastTickMs = Date.now();
  private readonly ticker: NodeJS.Timeout;
  private closed = false;
  private draining = false;
  private drainWatch: Watch | null = null;
  private handoffs: HandoffResponder | null = null;
  private loadReporter: LoadReporter | null = null;

  private constructor(
    private readonly store: MetadataStore,
    private readonly keys: ClusterKeys,
    readonly self: BrokerNode,
    private readonly state: ClusterState,
    clusterId: string,
    private readonly options: MembershipOptions,
  ) {
    this.view = new StoreClusterView(clusterId, self, state, this);
    // A process stopped (SIGSTOP, a long GC or VM pause) may have lost its lease without any
    // timer having run yet; requests read right after the pause must not be served as owner.
    this.ticker = setInterval(() => { this.lastTickMs = Date.now(); }, CLUSTER_SERVING_LIMITS.pauseTickMs);
    this.ticker.unref();
    state.onChange((key) => this.onStateChange(key));
  }

  static async open(store: MetadataStore, keys: ClusterKeys, clusterId: string, self: BrokerNode,
    options: MembershipOptions): Promise<ClusterMembership> {
    return new ClusterMembership(store, keys, self, await watchClusterState(store, keys), clusterId, options);
  }

  holdsLease(): boolean {
    // lease.isCurrent(): false while renewals are overdue (an etcd leader election): the broker
    // stops serving but keeps its partitions open and its registration, so it serves them again
    // once etcd confirms a renewal (see etcd-lease.ts for why overdue is not lost).
    return this.registration !== null && this.registration.lease.isCurrent() && !this.draining
      && Date.now() - this.lastTickMs < CLUSTER_SERVING_LIMITS.pauseToleranceMs;
  }

  /** False while this broker hands the partition at this epoch off to another (partition-handoff.ts). */
  serves(topic: string, partition: number, leaderEpoch: number): boolean {
    return this.handoffs?.serves(topic, partition, leaderEpoch) ?? true;
  }

  isController(): boolean {
    return this.election?.isController() ?? false;
  }

  get clusterState(): ClusterState {
    return this.state;
  }

  /**
   * Registers (fails with DUPLICATE_BROKER_ID if the id is live elsewhere), campaigns, starts the
   * assigner and the load report (`load`: the logs this broker leads).
   */
  async join(partitions: PartitionRegistry, tier: TierFlusher | null, load: LoadSource | null = null): Promise<void> {
    this.partitions = partitions;
    const key = drainKey(this.keys, this.self.nodeId);
    // A restarted broker serves again: an old drain request or answer is history.
    await this.store.txn([], [{ type: 'delete', key }]);
    this.drainWatch = await this.store.watch(key, (event) => {
      if (event.type === 'put' && (JSON.parse(event.kv.value) as DrainRecord).state === 'requested') void this.drain();
    });
    this.handoffs = await HandoffResponder.start(this.store, this.keys, this.self.nodeId, tier && {
      uploadAll: () => tier.uploadAll(),
      quiesce: (topic, partition) => partitions.release(topic, partition),
      progress: async (topic, partition) => {
        const opened = await partitions.get(topic, partition);
        return { end: opened.highWatermark(), uploaded: tier.uploadedEnd?.(opened.ref.topicId, partition) ?? 0n };
      },
    });
    await this.register();
    if (load) {
      this.loadReporter = new LoadReporter(this.store, this.keys, this.self.nodeId, load, () => this.registration?.lease.id ?? null);
      this.loadReporter.start();
    }
    this.election = await electController(this.store, this.keys, this.self.nodeId, { ttlMs: this.options.leaseTtlMs });
    this.assigner = await startPartitionAssigner(this.store, this.keys, this.election);
  }

  async setState(state: BrokerState): Promise<void> {
    if (!this.registration) throw new Error(`broker ${this.self.nodeId} is not registered`);
    await this.registration.setState(state);
  }

  /** Partitions this broker owns right now. */
  ownedPartitions(): Array<{ topic: string; partition: number; leaderEpoch: number }> {
    return this.state.assignmentsOf(this.self.nodeId);
  }

  /** See drain.ts: stop serving, upload, hand every partition off, answer done. */
  async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    const requestedAtMs = Date.now();
    log.info({ brokerId: this.self.nodeId, partitions: this.owned.size }, 'draining');
    try {
      // Requests already past the ownership check finish their appends before the upload.
      await new Promise((resolve) => setTimeout(resolve, CLUSTER_SERVING_LIMITS.drainSettleMs));
      // Until object storage reaches every owned partition's end: one cycle may stop at its size
      // limit, and a failed cycle only logs (the new owners continue where uploads end).
      await this.handoffs?.uploadCovering(this.ownedPartitions(), Date.now() + CLUSTER_SERVING_LIMITS.drainHandoffMsMax);
      await this.setState('draining');
      const deadline = Date.now() + CLUSTER_SERVING_LIMITS.drainHandoffMsMax;
      while (this.ownedPartitions().length > 0) {
        if (Date.now() > deadline) throw new Error(`${this.ownedPartitions().length} partitions still assigned here after ${CLUSTER_SERVING_LIMITS.drainHandoffMsMax} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await writeDrain(this.store, this.keys, this.self.nodeId, { state: 'done', requestedAtMs });
      log.info({ brokerId: this.self.nodeId }, 'drained: no partition left; safe to stop');
    } catch (err) {
      log.error({ err, brokerId: this.self.nodeId }, 'drain failed');
      await writeDrain(this.store, this.keys, this.self.nodeId, { state: 'failed', requestedAtMs, message: (err as Error).message })
        .catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.ticker);
    await this.loadReporter?.stop();
    await this.drainWatch?.cancel().catch(() => undefined);
    await this.assigner?.stop().catch((err: unknown) => log.warn({ err }, 'assigner stop failed'));
    await this.handoffs?.close();
    await this.election?.resign().catch((err: unknown) => log.warn({ err }, 'controller resign failed'));
    const registration = this.registration;
    this.registration = null;
    await registration?.deregister().catch((err: unknown) => log.warn({ err }, 'deregister failed'));
    await this.state.close();
  }

  private async register(): Promise<void> {
    const registration = await registerBroker(this.store, this.keys,
      { brokerId: this.self.nodeId, host: this.self.host, port: this.self.port, rack: this.self.rack, state: 'running' },
      { ttlMs: this.options.leaseTtlMs });
    registration.onLost(() => this.onLeaseLost(registration));
    this.registration = registration;
  }

  private onLeaseLost(registration: RegisteredBroker): void {
    if (this.registration !== registration || this.closed) return;
    this.registration = null;
    log.warn({ brokerId: this.self.nodeId, partitions: this.owned.size }, 'registration lease lost: no longer serving any partition');
    for (const key of [...this.owned.keys()]) this.release(key);
    void this.rejoin();
  }

  private async rejoin(): Promise<void> {
    while (!this.closed && this.registration === null) {
      try {
        await this.register();
        log.info({ brokerId: this.self.nodeId }, 'registered again under a new lease');
      } catch (err) {
        log.warn({ err, brokerId: this.self.nodeId }, 'registering again failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, CLUSTER_SERVING_LIMITS.rejoinDelayMs));
      }
    }
  }

  private onStateChange(key: string): void {
    const where = parseAssignmentKey(this.keys, key);
    if (where === null) return;
    const id = `${where.topic}/${where.partition}`;
    const assignment = this.state.assignment(where.topic, where.partition);
    const mine = assignment !== null && assignment.brokerId === this.self.nodeId;
    const previous = this.owned.get(id);
    if (mine && previous === assignment.leaderEpoch) return;
    // Moved away, or re-assigned to us at a new epoch: drop the open log so the next request
    // reopens it at the current end in object storage.
    if (previous !== undefined || mine) this.release(id);
    if (mine) this.owned.set(id, assignment.leaderEpoch);
  }

  private release(id: string): void {
    this.owned.delete(id);
    const slash = id.lastIndexOf('/');
    const topic = id.slice(0, slash);
    const partition = Number(id.slice(slash + 1));
    this.partitions?.release(topic, partition).catch((err: unknown) => log.warn({ err, topic, partition }, 'closing a moved partition failed'));
  }
}
