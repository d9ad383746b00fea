/**
 * The messages of a stored record batch, as native dispatch and a MESSAGE_BATCH push
 * (docs/native-protocol.md §3.2) read them: each record's offset (baseOffset + offsetDelta), its
 * publish time (the record timestamp, or the batch's LogAppendTime), key, headers and value.
 */
import type { RecordBatchHeader } from '../kafka/record-batch';
import { type KafkaRecord, readRecord } from '../kafka/records';
import { Reader } from '../primitives/reader';

export type RecordVisitor = (offset: bigint, publishTimeMs: bigint, record: KafkaRecord) => void;

// A module constant, not the import: tsx's CommonJS output reads imports through getters (once per record here).
const readOne = readRecord;

/** Visits every record of the (uncompressed) record area `area` of the batch `header` describes. */
export function visitBatchRecords(header: RecordBatchHeader, area: Buffer, visit: RecordVisitor): void {
  const logAppendTime = header.timestampType === 'log-append' ? header.maxTimestamp : null;
  const { baseOffset, baseTimestamp } = header;
  const r = new Reader(area);
  for (let i = 0; i < header.recordCount; i++) {
    const record = readOne(r);
    // A delta of 0 (messages of one millisecond) reuses the base: no bigint per record.
    const publishTimeMs = logAppendTime ?? (record.timestampDelta === 0n ? baseTimestamp : baseTimestamp + record.timestampDelta);
    visit(baseOffset + BigInt(record.offsetDelta), publishTimeMs, record);
  }
}
