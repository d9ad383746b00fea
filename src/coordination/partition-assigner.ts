import { COORDINATION_LIMITS } from '../limits';
import { componentLogger } from '../log';
import { type AssignmentChange, encodeAssignment, listAssignments, planAssignments } from './assignment';
import { listBrokerLoads } from './broker-load';
import { pinOp } from './partition-pin';
import type { BrokerRegistration } from './broker-registry';
import { type ControllerElection, controllerFence } from './controller';
import { handoffsPrefix } from './handoff';
import type { ClusterKeys } from './keys';
import type { Compare, MetadataStore, TxnOp, Watch } from './metadata-store';
import { type BrokerSnapshot, DEFAULT_REBALANCE_LIMITS, type RebalanceLimits, Rebalancer } from './rebalancer';

const log = componentLogger('partition-assigner');

export interface PartitionAssigner {
  /**
   * One reconciliation now (only while this broker is the controller); resolves with the changes
   * applied. If a round is already running, resolves with that one's and runs another after it.
   */
  reconcile(): Promise<AssignmentChange[]>;
  stop(): Promise<void>;
}

/**
 * The controller's assignment loop: on every change of brokers, topics or handoffs, and on
 * winning the election, it plans (assignment.ts) and writes the changes in transactions fenced
 * by the controller epoch, so a deposed controller's writes fail instead of fighting the new
 * one. Placement goes by partition count, then by the load brokers report (broker-load.ts).
 * Once every partition has a live owner it rebalances (rebalancer.ts): a few partitions
 * at a time move from the most loaded brokers to newly joined ones through clean handoffs.
 */
export interface AssignerOptions {
  /** Rebalancing limits (default: the COORDINATION_LIMITS rebalance* values). */
  rebalance?: Partial<RebalanceLimits>;
}

export async function startPartitionAssigner(store: MetadataStore, keys: ClusterKeys, election: ControllerElection,
  options: AssignerOptions = {}): Promise<PartitionAssigner> {
  const loop = new AssignerLoop(store, keys, election, { ...DEFAULT_REBALANCE_LIMITS, ...options.rebalance });
  loop.watches.push(await store.watch(keys.brokersPrefix, () => loop.schedule()));
  loop.watches.push(await store.watch(keys.topicsPrefix, () => loop.schedule()));
  loop.watches.push(await store.watch(handoffsPrefix(keys), () => loop.schedule()));
  election.onChange(() => loop.schedule());
  loop.schedule();
  loop.startSafetyNet();
  return loop;
}

class AssignerLoop implements PartitionAssigner {
  readonly watches: Watch[] = [];
  private running: Promise<AssignmentChange[]> | null = null;
  private rerun = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private safetyTimer: NodeJS.Timeout | null = null;
  private readonly rebalancer: Rebalancer;

  constructor(private readonly store: MetadataStore, private readonly keys: ClusterKeys,
    private readonly election: ControllerElection, rebalance: RebalanceLimits) {
    this.rebalancer = new Rebalancer(store, keys, () => this.schedule(), rebalance);
  }

  /** A periodic round besides the watches, so a missed event (a watch cancelled by etcd) is repaired too. */
  startSafetyNet(): void {
    this.safetyTimer = setInterval(() => this.schedule(), COORDINATION_LIMITS.clusterReconcileIntervalMs);
    this.safetyTimer.unref();
  }

  schedule(): void {
    this.reconcile().catch(() => undefined);
  }

  reconcile(): Promise<AssignmentChange[]> {
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    this.running = this.round()
      .catch((error) => {
        log.warn({ err: error }, 'partition assignment failed; retrying');
        this.retryLater();
        throw error;
      })
      .finally(() => {
        this.running = null;
        if (this.rerun && !this.stopped) {
          this.rerun = false;
          this.schedule();
        }
      });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.safetyTimer) clearInterval(this.safetyTimer);
    this.rebalancer.stop();
    await Promise.all(this.watches.splice(0).map((watch) => watch.cancel()));
    await this.running?.catch(() => undefined);
  }

  private async round(): Promise<AssignmentChange[]> {
    const epoch = this.election.epoch;
    if (this.stopped || epoch === null) return [];
    const [topicKvs, brokerKvs, assignments, brokerLoads] = await Promise.all([
      this.store.list(this.keys.topicsPrefix), this.store.list(this.keys.brokersPrefix), listAssignments(this.store, this.keys),
      listBrokerLoads(this.store, this.keys)]);
    const brokers: BrokerSnapshot[] = brokerKvs.map((kv) => ({ ...JSON.parse(kv.value) as BrokerRegistration, createRevision: kv.createRevision }));
    const changes = planAssignments({
      topics: topicKvs.map((kv) => ({ name: kv.key.slice(this.keys.topicsPrefix.length), ...topicShape(kv.value) })),
      eligibleBrokerIds: brokers.filter((b) => b.state === 'running').map((b) => b.brokerId),
      liveBrokerIds: brokers.map((b) => b.brokerId),
      drainingBrokerIds: brokers.filter((b) => b.state === 'draining').map((b) => b.brokerId),
      assignments,
      brokerLoads,
    });
    const applied: AssignmentChange[] = [];
    // One compare for the controller fence, then a compare and an op per change.
    const perTxn = Math.floor((COORDINATION_LIMITS.txnOpsMax - 1) / (1 + CHANGE_OPS_MAX));
    for (let start = 0; start < changes.length; start += perTxn) {
      const chunk = changes.slice(start, start + perTxn);
      const parts = chunk.map((change) => changeToTxn(this.keys, change));
      const result = await this.store.txn([controllerFence(this.keys, epoch), ...parts.map((p) => p.compare)], parts.flatMap((p) => p.ops));
      if (!result.succeeded) {
        // Deposed, or an assignment moved under us: the next round re-reads and re-plans.
        this.rerun = this.election.epoch === epoch;
        break;
      }
      applied.push(...chunk);
    }
    if (applied.length > 0) log.info({ epoch, changes: applied.length }, 'partitions assigned');
    // Rebalance only once placement has nothing left to do (a re-plan runs after any change).
    if (changes.length > 0) {
      this.rerun ||= applied.length > 0 && this.election.epoch === epoch;
    } else if (await this.rebalancer.step(epoch, brokers, assignments, brokerLoads)) {
      this.rerun = this.election.epoch === epoch;
    }
    return applied;
  }

  private retryLater(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.schedule();
    }, COORDINATION_LIMITS.clusterRetryDelayMsMax);
    this.retryTimer.unref();
  }
}

/** The partition count and operator placement of a stored topic record (broker/topics/topic-registry.ts). */
function topicShape(value: string): { partitions: number; placement?: Array<number | null> } {
  const record = JSON.parse(value) as { partitions?: unknown; placement?: unknown };
  const partitions = typeof record.partitions === 'number' && Number.isInteger(record.partitions) && record.partitions > 0 ? record.partitions : 0;
  const placement = Array.isArray(record.placement)
    ? record.placement.map((id) => (typeof id === 'number' && Number.isInteger(id) ? id : null)) : undefined;
  return placement ? { partitions, placement } : { partitions };
}

/** Most ops one change writes: the assignment and its pin. */
const CHANGE_OPS_MAX = 2;

/** The compare and the ops that make one change conditional on the assignment not having moved. */
function changeToTxn(keys: ClusterKeys, change: AssignmentChange): { compare: Compare; ops: TxnOp[] } {
  const key = keys.assignment(change.topic, change.partition);
  const compare = { key, modRevision: change.expectedModRevision };
  if (change.type === 'remove') return { compare, ops: [{ type: 'delete', key }] };
  const put: TxnOp = { type: 'put', key, value: encodeAssignment(change.brokerId, change.leaderEpoch) };
  return { compare, ops: change.pinned ? [put, pinOp(keys, change.topic, change.partition, change.brokerId, change.leaderEpoch)] : [put] };
}
