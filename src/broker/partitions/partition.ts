/**
 * One partition led by this broker: validates and appends batches (the client's bytes, with
 * only baseOffset and, for LogAppendTime topics, the timestamp rewritten), serves reads of
 * whole batches, and wakes long-polling fetches when the high watermark moves.
 */
import type { PartitionLog, ReadResult } from '../../storage/partition-log';
import { DomainError } from '../errors';
import type { EffectiveTopicConfig } from '../topics/topic-config';
import type { BatchHeader, BatchInspector, BatchOrigin } from './batch-inspector';
import type { PartitionRef, ProducerStateHook } from './producer-state-hook';
import { ReadAhead } from './read-ahead';

export interface AppendOutcome {
  baseOffset: bigint;
  /** -1n unless the topic uses LogAppendTime. */
  logAppendTimeMs: bigint;
  logStartOffset: bigint;
}

export interface PartitionDeps {
  inspector: BatchInspector;
  producers: ProducerStateHook;
  now: () => bigint;
}

export class Partition {
  private readonly listeners = new Set<() => void>();
  private readonly readAhead = new ReadAhead((offset, maxBytes) => this.log.read(offset, maxBytes), () => this.log.highWatermark());

  constructor(
    readonly ref: PartitionRef,
    private readonly log: PartitionLog,
    private config: EffectiveTopicConfig,
    private readonly deps: PartitionDeps,
  ) {}

  /** Takes changed topic configs; `reconfigureLog` applies the log's share (retention, segments, flush, durability). */
  updateConfig(config: EffectiveTopicConfig, reconfigureLog?: (log: PartitionLog) => void): void {
    this.config = config;
    reconfigureLog?.(this.log);
  }

  /** Resolves once the batch is durable under the topic's flush policy. */
  async append(batch: Buffer, origin?: BatchOrigin): Promise<AppendOutcome> {
    const header = this.checkBatch(batch, origin);
    const decision = this.deps.producers.beforeAppend(this.ref, header);
    const logAppendTimeMs = this.config.messageTimestampType === 'LogAppendTime' ? this.deps.now() : -1n;
    if (decision.kind === 'duplicate') {
      return { baseOffset: decision.baseOffset, logAppendTimeMs, logStartOffset: this.log.logStartOffset() };
    }
    if (logAppendTimeMs >= 0n) this.deps.inspector.setLogAppendTime(batch, logAppendTimeMs);
    let result;
    try {
      result = await this.log.append({
        batch,
        recordCount: header.lastOffsetDelta + 1,
        maxTimestampMs: logAppendTimeMs >= 0n ? logAppendTimeMs : header.maxTimestamp,
      });
    } catch (err) {
      this.deps.producers.appendFailed(this.ref, header);
      throw err;
    }
    this.deps.producers.afterAppend(this.ref, header, result.baseOffset);
    this.notify();
    return { baseOffset: result.baseOffset, logAppendTimeMs, logStartOffset: this.log.logStartOffset() };
  }

  /**
   * Whole batches from the one containing `offset`; throws offset-out-of-range outside
   * [logStart, HWM]. A consumer that is behind gets its next read started ahead (read-ahead.ts).
   */
  async read(offset: bigint, maxBytes: number): Promise<ReadResult> {
    this.checkOffset(offset);
    const ahead = this.readAhead.take(offset, maxBytes);
    const result = (ahead && await ahead) ?? await this.log.read(offset, maxBytes);
    this.readAhead.after(result, maxBytes);
    return result;
  }

  highWatermark(): bigint {
    return this.log.highWatermark();
  }

  logStartOffset(): bigint {
    return this.log.logStartOffset();
  }

  offsetForTimestamp(timestampMs: bigint): Promise<bigint | null> {
    return this.log.offsetForTimestamp(timestampMs);
  }

  /** Calls `listener` after every durable append until the returned function is called. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    this.readAhead.clear();
    this.notify();
    return this.log.close();
  }

  private checkBatch(batch: Buffer, origin?: BatchOrigin): BatchHeader {
    if (batch.length > this.config.maxMessageBytes) {
      throw new DomainError('batch-too-large', `batch of ${batch.length} bytes exceeds max.message.bytes ${this.config.maxMessageBytes}`);
    }
    return this.deps.inspector.validate(batch, origin);
  }

  private checkOffset(offset: bigint): void {
    const start = this.log.logStartOffset();
    const end = this.log.highWatermark();
    if (offset < start || offset > end) {
      throw new DomainError('offset-out-of-range', `offset ${offset} is outside [${start}, ${end}] of ${this.ref.topic}-${this.ref.partition}`);
    }
  }

  private notify(): void {
    // Most appends have no parked fetch: no copy of the set (a copy lets listeners unsubscribe while called).
    if (this.listeners.size === 0) return;
    for (const listener of [...this.listeners]) listener();
  }
}
