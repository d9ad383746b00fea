/**
 * Publishes this broker's load for the controller (src/coordination/broker-load.ts): every
 * loadReportIntervalMs it adds up how far the high watermarks of the partitions it leads moved
 * (records appended, whatever the protocol) and writes the rate under its registration lease
 * when it changed, so the controller can break ties in partition count by load.
 */
import { publishBrokerLoad } from '../../coordination/broker-load';
import type { ClusterKeys } from '../../coordination/keys';
import type { MetadataStore } from '../../coordination/metadata-store';
import type { PartitionLog } from '../../storage/partition-log';
import { CLUSTER_SERVING_LIMITS } from '../../limits';
import { componentLogger } from '../../log';

const log = componentLogger('load-reporter');

export interface LoadSource {
  /** Logs of the partitions this broker leads now. */
  ledLogs(): PartitionLog[];
}

export class LoadReporter {
  private readonly seen = new WeakMap<PartitionLog, bigint>();
  private lastSampleMs = Date.now();
  private published: { leaseId: string; messagesInPerSec: number } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private reporting: Promise<void> | null = null;

  constructor(private readonly store: MetadataStore, private readonly keys: ClusterKeys, private readonly brokerId: number,
    private readonly source: LoadSource, private readonly leaseId: () => string | null,
    private readonly intervalMs: number = CLUSTER_SERVING_LIMITS.loadReportIntervalMs) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => {
      this.reporting ??= this.report().finally(() => { this.reporting = null; });
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.reporting;
  }

  /** Measures now and publishes if the rate (whole messages per second) or the lease changed. */
  async report(): Promise<void> {
    const messagesInPerSec = this.sample();
    const leaseId = this.leaseId();
    if (leaseId === null) return;
    if (this.published?.leaseId === leaseId && this.published.messagesInPerSec === messagesInPerSec) return;
    try {
      await publishBrokerLoad(this.store, this.keys, { brokerId: this.brokerId, messagesInPerSec, sampledAtMs: Date.now() }, leaseId);
      this.published = { leaseId, messagesInPerSec };
    } catch (err) {
      log.debug({ err, brokerId: this.brokerId }, 'publishing the load report failed; next interval retries');
    }
  }

  /** Messages appended per second since the last sample, over the logs led now. */
  private sample(): number {
    const nowMs = Date.now();
    let appended = 0n;
    for (const partitionLog of this.source.ledLogs()) {
      const end = partitionLog.highWatermark();
      const before = this.seen.get(partitionLog);
      if (before !== undefined && end > before) appended += end - before;
      this.seen.set(partitionLog, end);
    }
    const elapsedMs = Math.max(1, nowMs - this.lastSampleMs);
    this.lastSampleMs = nowMs;
    return Math.round((Number(appended) * 1000) / elapsedMs);
  }
}
