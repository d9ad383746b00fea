import { COORDINATION_LIMITS } from '../limits';
import { componentLogger } from '../log';
import { type AssignmentChange, changeToTxn, listAssignments, planAssignments } from './assignment';
import { listBrokers } from './broker-registry';
import { type ControllerElection, controllerFence } from './controller';
import type { ClusterKeys } from './keys';
import type { MetadataStore, Watch } from './metadata-store';

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
 * The controller's assignment loop: on every change of brokers or topics, and on winning the
 * election, it plans (assignment.ts) and writes the changes in transactions fenced by the
 * controller epoch, so a deposed controller's writes fail instead of fighting the new one.
 */
export async function startPartitionAssigner(store: MetadataStore, keys: ClusterKeys, election: ControllerElection):
  Promise<PartitionAssigner> {
  const loop = new AssignerLoop(store, keys, election);
  loop.watches.push(await store.watch(keys.brokersPrefix, () => loop.schedule()));
  loop.watches.push(await store.watch(keys.topicsPrefix, () => loop.schedule()));
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

  constructor(private readonly store: MetadataStore, private readonly keys: ClusterKeys,
    private readonly election: ControllerElection) {}

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
    await Promise.all(this.watches.splice(0).map((watch) => watch.cancel()));
    await this.running?.catch(() => undefined);
  }

  private async round(): Promise<AssignmentChange[]> {
    const epoch = this.election.epoch;
    if (this.stopped || epoch === null) return [];
    const [topicKvs, brokers, assignments] = await Promise.all([
      this.store.list(this.keys.topicsPrefix), listBrokers(this.store, this.keys), listAssignments(this.store, this.keys)]);
    const changes = planAssignments({
      topics: topicKvs.map((kv) => ({ name: kv.key.slice(this.keys.topicsPrefix.length), partitions: topicPartitions(kv.value) })),
      eligibleBrokerIds: brokers.filter((b) => b.state === 'running').map((b) => b.brokerId),
      liveBrokerIds: brokers.map((b) => b.brokerId),
      drainingBrokerIds: brokers.filter((b) => b.state === 'draining').map((b) => b.brokerId),
      assignments,
    });
    const applied: AssignmentChange[] = [];
    // One compare for the controller fence, then a compare and an op per change.
    const perTxn = Math.floor((COORDINATION_LIMITS.txnOpsMax - 1) / 2);
    for (let start = 0; start < changes.length; start += perTxn) {
      const chunk = changes.slice(start, start + perTxn);
      const parts = chunk.map((change) => changeToTxn(this.keys, change));
      const result = await this.store.txn([controllerFence(this.keys, epoch), ...parts.map((p) => p.compare)], parts.map((p) => p.op));
      if (!result.succeeded) {
        // Deposed, or an assignment moved under us: the next round re-reads and re-plans.
        this.rerun = this.election.epoch === epoch;
        break;
      }
      applied.push(...chunk);
    }
    if (applied.length > 0) log.info({ epoch, changes: applied.length }, 'partitions assigned');
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

function topicPartitions(value: string): number {
  const partitions = (JSON.parse(value) as { partitions?: unknown }).partitions;
  return typeof partitions === 'number' && Number.isInteger(partitions) && partitions > 0 ? partitions : 0;
}
