/**
 * Idempotent-producer state of one partition (Kafka ProducerStateManager): per producer id the
 * epoch and the last few batches (first/last sequence, base offset). Decides for each batch:
 * append, duplicate (answer with the original offset), or reject with the code the reference
 * names (OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH, UNKNOWN_PRODUCER_ID).
 */
import { PRODUCER_LIMITS } from '../../limits';
import { DomainError } from '../errors';
import type { BatchHeader } from '../partitions/batch-inspector';
import type { AppendDecision } from '../partitions/producer-state-hook';

interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  /** null while the batch is being written. */
  baseOffset: bigint | null;
}

interface ProducerEntry {
  epoch: number;
  batches: BatchMetadata[];
  lastUsedMs: number;
}

export interface PartitionProducersLimits {
  batchesPerProducerMax: number;
  producersPerPartitionMax: number;
  producerIdExpirationMs: number;
}

const INT32_MAX = 2_147_483_647;

/** Sequence numbers wrap from int32 max to 0 (Kafka DefaultRecordBatch.incrementSequence). */
export function lastSequenceOf(header: BatchHeader): number {
  const last = header.baseSequence + header.lastOffsetDelta;
  return last > INT32_MAX ? last - INT32_MAX - 1 : last;
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

export function carriesProducerState(header: BatchHeader): boolean {
  return header.producerId >= 0n && !header.isControl;
}

export class PartitionProducers {
  /** Map order is least recently used first. */
  private readonly entries = new Map<bigint, ProducerEntry>();

  constructor(private readonly limits: PartitionProducersLimits = PRODUCER_LIMITS) {}

  get size(): number {
    return this.entries.size;
  }

  /** Checks a batch before it is appended and, when it is to be appended, records it as in flight. */
  check(header: BatchHeader, nowMs: number): AppendDecision {
    if (!carriesProducerState(header)) return { kind: 'append' };
    this.expire(nowMs);
    const pid = header.producerId;
    const firstSeq = header.baseSequence;
    const lastSeq = lastSequenceOf(header);
    const entry = this.entries.get(pid);
    if (entry && entry.epoch === header.producerEpoch) {
      const duplicate = entry.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
      if (duplicate) {
        if (duplicate.baseOffset === null) {
          // The original is still being written: the client retries and then gets its offset.
          throw new DomainError('storage-error', `batch ${firstSeq}..${lastSeq} of producer ${pid} is still being written; retry`);
        }
        return { kind: 'duplicate', baseOffset: duplicate.baseOffset };
      }
    }
    this.validate(entry, header, pid);
    const next = entry && entry.epoch === header.producerEpoch ? entry : { epoch: header.producerEpoch, batches: [], lastUsedMs: nowMs };
    this.record(pid, next, { firstSeq, lastSeq, baseOffset: null }, nowMs);
    return { kind: 'append' };
  }

  /** The batch checked by `check` is durable at `baseOffset`. */
  appended(header: BatchHeader, baseOffset: bigint): void {
    const batch = this.inFlight(header);
    if (batch) batch.baseOffset = baseOffset;
  }

  /** The batch checked by `check` was not written: forget it so the client's retry is in sequence. */
  failed(header: BatchHeader): void {
    const entry = this.entries.get(header.producerId);
    const batch = this.inFlight(header);
    if (!entry || !batch) return;
    entry.batches = entry.batches.filter((b) => b !== batch);
    if (entry.batches.length === 0) this.entries.delete(header.producerId);
  }

  /** Rebuild: a batch read back from the log, trusted as written. */
  replay(header: BatchHeader, baseOffset: bigint, nowMs: number): void {
    if (!carriesProducerState(header)) return;
    const entry = this.entries.get(header.producerId);
    const next = entry && entry.epoch >= header.producerEpoch ? entry : { epoch: header.producerEpoch, batches: [], lastUsedMs: nowMs };
    this.record(header.producerId, next, { firstSeq: header.baseSequence, lastSeq: lastSequenceOf(header), baseOffset }, nowMs);
  }

  private validate(entry: ProducerEntry | undefined, header: BatchHeader, pid: bigint): void {
    const seq = header.baseSequence;
    if (!entry) {
      if (seq !== 0) throw new DomainError('unknown-producer-id', `producer ${pid} is unknown here and its batch starts at sequence ${seq}, not 0`);
      return;
    }
    if (header.producerEpoch < entry.epoch) {
      throw new DomainError('invalid-producer-epoch', `producer ${pid} epoch ${header.producerEpoch} is older than ${entry.epoch}`);
    }
    if (header.producerEpoch > entry.epoch) {
      // librdkafka bumps its epoch itself and restarts sequences at 0 (rd_kafka_pid_bump).
      if (seq !== 0) throw new DomainError('out-of-order-sequence', `producer ${pid} new epoch ${header.producerEpoch} must start at sequence 0, not ${seq}`);
      return;
    }
    const last = entry.batches.length > 0 ? entry.batches[entry.batches.length - 1].lastSeq : -1;
    if (!inSequence(last, seq)) {
      throw new DomainError('out-of-order-sequence', `producer ${pid} sent sequence ${seq} after ${last}`);
    }
  }

  private record(pid: bigint, entry: ProducerEntry, batch: BatchMetadata, nowMs: number): void {
    entry.batches.push(batch);
    if (entry.batches.length > this.limits.batchesPerProducerMax) entry.batches.shift();
    entry.lastUsedMs = nowMs;
    this.entries.delete(pid);
    this.entries.set(pid, entry);
    if (this.entries.size > this.limits.producersPerPartitionMax) {
      this.entries.delete(this.entries.keys().next().value as bigint);
    }
  }

  private inFlight(header: BatchHeader): BatchMetadata | undefined {
    const entry = this.entries.get(header.producerId);
    if (!entry || entry.epoch !== header.producerEpoch) return undefined;
    return entry.batches.find((b) => b.firstSeq === header.baseSequence && b.baseOffset === null);
  }

  /** Producers idle longer than producerIdExpirationMs are forgotten, oldest first. */
  private expire(nowMs: number): void {
    for (const [pid, entry] of this.entries) {
      if (nowMs - entry.lastUsedMs <= this.limits.producerIdExpirationMs) return;
      this.entries.delete(pid);
    }
  }
}
