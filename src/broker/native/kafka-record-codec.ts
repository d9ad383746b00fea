/**
 * NativeRecordCodec over Kafka RecordBatch v2, with the one record codec of
 * src/protocol/kafka (records.ts, record-batch-builder.ts) the Kafka side uses too.
 *
 * A native SEND becomes one uncompressed CreateTime batch with producerId -1 (not idempotent),
 * its base timestamp the smallest of the messages'. Dispatch reads every batch a Kafka producer
 * may have written: uncompressed, gzip, snappy (raw or xerial), lz4 (KIP-57 frames) and zstd,
 * each decompressed within NATIVE_LIMITS.decompressedBatchBytesMax; control batches are skipped.
 */
import { NATIVE_LIMITS } from '../../limits';
import { decompressRecords } from '../../protocol/kafka/compression';
import { BATCH, readBatchHeader, type RecordBatchHeader } from '../../protocol/kafka/record-batch';
import { visitBatchRecords } from '../../protocol/native/batch-records';
import type { Header } from '../../protocol/native/messages';
import { encodeMessageBatch } from '../../protocol/native/message-batch';
import { type NativeRecordCodec, UndecodableBatchError } from './record-codec';
import type { StoredMessage } from './subscriptions/types';

const EMPTY = Buffer.alloc(0);

function readRecords(header: RecordBatchHeader, area: Buffer, partition: number, out: StoredMessage[], batch: Buffer | undefined): void {
  visitBatchRecords(header, area, (offset, publishTimeMs, record) => {
    out.push({ partition, offset, publishTimeMs, key: record.key, headers: record.headers as Header[], payload: record.value ?? EMPTY, batch });
  });
}

/** The batch's records, decompressed when they are compressed. */
function recordArea(header: RecordBatchHeader, batch: Buffer): Buffer | Promise<Buffer> {
  const records = batch.subarray(BATCH.headerBytes);
  if (header.compressionId === 0) return records;
  return decompressRecords(header.compressionId, records, NATIVE_LIMITS.decompressedBatchBytesMax);
}

async function decodeOne(batch: Buffer, partition: number, out: StoredMessage[]): Promise<void> {
  const header = readBatchHeader(batch);
  if (header.isControl) return;
  const before = out.length;
  try {
    const area = recordArea(header, batch);
    // An uncompressed batch can be pushed as it is stored (MESSAGE_BATCH); a compressed one cannot.
    readRecords(header, area instanceof Buffer ? area : await area, partition, out, header.compressionId === 0 ? batch : undefined);
  } catch (err) {
    out.length = before;
    throw new UndecodableBatchError(`batch at offset ${header.baseOffset} does not decode: ${(err as Error).message}`, header.baseOffset, out);
  }
}

export const kafkaRecordCodec: NativeRecordCodec = {
  encodeBatch: encodeMessageBatch,
  async decodeBatches(chunks, partition) {
    const out: StoredMessage[] = [];
    for (const chunk of chunks) {
      for (let pos = 0; pos + BATCH.logOverheadBytes <= chunk.length;) {
        const size = BATCH.logOverheadBytes + chunk.readInt32BE(pos + BATCH.batchLengthAt);
        if (pos + size > chunk.length) break;
        await decodeOne(chunk.subarray(pos, pos + size), partition, out);
        pos += size;
      }
    }
    return out;
  },
};
