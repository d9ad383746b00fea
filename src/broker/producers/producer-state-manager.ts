/**
 * The broker's idempotent-producer state: one PartitionProducers per partition, installed on
 * the append path as the ProducerStateHook. When a partition opens, its state is rebuilt from
 * the headers of the batches stored in its log (the last producerIdExpirationMs of it, at most
 * rebuildScanOffsetsMax offsets), so a restart, or a partition moving to another broker, keeps
 * deduplicating retried batches.
 */
import { PRODUCER_LIMITS } from '../../limits';
import { componentLogger } from '../../log';
import type { PartitionLog } from '../../storage/partition-log';
import type { BatchHeader } from '../partitions/batch-inspector';
import type { AppendDecision, PartitionRef, ProducerStateHook } from '../partitions/producer-state-hook';
import { PartitionProducers } from './partition-producers';

const log = componentLogger('producer-state');

/** Reads the fixed header of every batch in a chunk of stored batches (no record is decoded). */
export type BatchHeaderReader = (chunk: Buffer) => Iterable<{ baseOffset: bigint; header: BatchHeader }>;

export class ProducerStateManager implements ProducerStateHook {
  private readonly partitions = new Map<string, PartitionProducers>();
  /**
   * The state last looked up for each ref object (a Partition passes the same ref on every
   * append): two lookups per append without building the string key. Dropped on every change
   * of `partitions`, so it never hands out a state the map no longer holds.
   */
  private byRef = new WeakMap<PartitionRef, PartitionProducers>();

  constructor(private readonly readHeaders: BatchHeaderReader, private readonly nowMs: () => number = Date.now) {}

  beforeAppend(ref: PartitionRef, header: BatchHeader): AppendDecision {
    return this.state(ref).check(header, this.nowMs());
  }

  afterAppend(ref: PartitionRef, header: BatchHeader, baseOffset: bigint): void {
    this.state(ref).appended(header, baseOffset);
  }

  appendFailed(ref: PartitionRef, header: BatchHeader): void {
    this.state(ref).failed(header);
  }

  /** Rebuilds a partition's state from its log before it serves appends. */
  async partitionOpened(ref: PartitionRef, partitionLog: PartitionLog): Promise<void> {
    const state = new PartitionProducers();
    const now = this.nowMs();
    const since = await partitionLog.offsetForTimestamp(BigInt(now - PRODUCER_LIMITS.producerIdExpirationMs));
    const floor = [partitionLog.logStartOffset(), partitionLog.highWatermark() - BigInt(PRODUCER_LIMITS.rebuildScanOffsetsMax)];
    let offset = since ?? partitionLog.highWatermark();
    for (const bound of floor) if (offset < bound) offset = bound;
    let batches = 0;
    while (offset < partitionLog.highWatermark()) {
      const read = await partitionLog.read(offset, PRODUCER_LIMITS.rebuildReadBytes);
      if (read.chunks.length === 0 || read.nextOffset <= offset) break;
      for (const chunk of read.chunks) {
        for (const { baseOffset, header } of this.readHeaders(chunk)) {
          state.replay(header, baseOffset, now);
          batches += 1;
        }
      }
      offset = read.nextOffset;
    }
    this.partitions.set(key(ref), state);
    this.byRef = new WeakMap();
    if (state.size > 0) log.info({ topic: ref.topic, partition: ref.partition, producers: state.size, batches }, 'producer state rebuilt');
  }

  /** Drops a closed or deleted partition's state. */
  partitionClosed(ref: PartitionRef): void {
    this.partitions.delete(key(ref));
    this.byRef = new WeakMap();
  }

  private state(ref: PartitionRef): PartitionProducers {
    let state = this.byRef.get(ref);
    if (state) return state;
    const k = key(ref);
    state = this.partitions.get(k);
    if (!state) {
      state = new PartitionProducers();
      this.partitions.set(k, state);
    }
    this.byRef.set(ref, state);
    return state;
  }
}

function key(ref: PartitionRef): string {
  return `${ref.topicId}/${ref.partition}`;
}
