/**
 * What dispatch reads from a partition log, decoding records only where something needs them.
 * An uncompressed data batch whose records are well formed with offsetDelta = index (the
 * allocation-free shape walk a SEND_BATCH passes, record-shape.ts) becomes one StoredRun: no record
 * is decoded, and Exclusive and Failover subscriptions deliver it whole (a MESSAGE_BATCH of the
 * stored bytes). Compressed batches, and uncompressed ones that fail the walk, go through the
 * record codec as before (decoded into messages, or an undecodable batch stops dispatch there).
 * runMessages decodes a run for what needs single messages: Shared and Key_Shared dispatch,
 * redelivery, dead letters, and pushes too small for a MESSAGE_BATCH.
 */
import { BATCH, readBatchHeader } from '../../../protocol/kafka/record-batch';
import { readRecord } from '../../../protocol/kafka/records';
import type { Header } from '../../../protocol/native/messages';
import { Reader } from '../../../protocol/primitives/reader';
import { type NativeRecordCodec, UndecodableBatchError } from '../record-codec';
import { recordShapeProblem } from '../record-shape';
import type { StoredMessage, StoredRun } from './types';

export type StoredItem = StoredMessage | StoredRun;

/** A batch that does not decode: dispatch delivers `before` and stops at `offset`, skipping nothing. */
export class StoppedAtBatchError extends Error {
  constructor(message: string, readonly offset: bigint, readonly before: StoredItem[]) {
    super(message);
    this.name = 'StoppedAtBatchError';
  }
}

export function isRun(item: object): item is StoredRun {
  return (item as StoredRun).first !== undefined;
}

/** Messages a run holds (last - first + 1: its records have consecutive offsets). */
export function runLength(run: StoredRun): number {
  return Number(run.last - run.first) + 1;
}

/** Records in the stored batch of a run. */
export function runBatchRecords(run: StoredRun): number {
  return run.batch.readInt32BE(BATCH.recordCountAt);
}

/** Every data batch of `chunks` in offset order: runs where possible, decoded messages otherwise; control batches skipped. */
export async function readStored(chunks: Buffer[], partition: number, codec: NativeRecordCodec): Promise<StoredItem[]> {
  const items: StoredItem[] = [];
  for (const chunk of chunks) {
    for (let pos = 0; pos + BATCH.logOverheadBytes <= chunk.length;) {
      const size = BATCH.logOverheadBytes + chunk.readInt32BE(pos + BATCH.batchLengthAt);
      if (pos + size > chunk.length) break;
      await readOne(chunk.subarray(pos, pos + size), partition, codec, items);
      pos += size;
    }
  }
  return items;
}

async function readOne(batch: Buffer, partition: number, codec: NativeRecordCodec, items: StoredItem[]): Promise<void> {
  const header = readBatchHeader(batch);
  if (header.isControl) return;
  const count = header.recordCount;
  if (header.compressionId === 0 && count > 0 && header.lastOffsetDelta === count - 1
    && recordShapeProblem(batch.subarray(BATCH.headerBytes), count) === null) {
    items.push({ partition, batch, first: header.baseOffset, last: header.baseOffset + BigInt(count - 1) });
    return;
  }
  let messages: StoredMessage[];
  try {
    messages = await codec.decodeBatches([batch], partition);
  } catch (err) {
    if (err instanceof UndecodableBatchError) throw new StoppedAtBatchError(err.message, err.offset, items);
    throw err;
  }
  // Offsets here need not follow record order, so no MESSAGE_BATCH may carry these (a slice is cut by index).
  for (const message of messages) {
    message.batch = undefined;
    items.push(message);
  }
}

const EMPTY = Buffer.alloc(0);
const readOneRecord = readRecord;

/**
 * The messages of the run whose offsets `keep` accepts (all when omitted), in order. Records
 * before the run are skipped by their length alone; the walk stops after the run's last record.
 */
export function runMessages(run: StoredRun, keep?: (offset: bigint) => boolean): StoredMessage[] {
  const header = readBatchHeader(run.batch);
  const logAppendTime = header.timestampType === 'log-append' ? header.maxTimestamp : null;
  const { baseOffset, baseTimestamp } = header;
  const skip = Number(run.first - baseOffset);
  const end = Number(run.last - baseOffset);
  const r = new Reader(run.batch, BATCH.headerBytes);
  const out: StoredMessage[] = [];
  for (let i = 0; i < skip; i++) r.skip(r.readVarInt());
  for (let i = skip; i <= end; i++) {
    const record = readOneRecord(r);
    const offset = baseOffset + BigInt(i);
    if (keep !== undefined && !keep(offset)) continue;
    const publishTimeMs = logAppendTime ?? (record.timestampDelta === 0n ? baseTimestamp : baseTimestamp + record.timestampDelta);
    out.push({
      partition: run.partition, offset, publishTimeMs, key: record.key, headers: record.headers as Header[], payload: record.value ?? EMPTY,
      batch: run.batch,
    });
  }
  return out;
}
