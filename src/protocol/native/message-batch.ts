/**
 * Native messages as one Kafka RecordBatch v2 (magic 2, uncompressed, CreateTime, producer id
 * -1): the broker builds it for a SEND, the client builds it itself for a SEND_BATCH (spec §3,
 * §7). Each message is one record: key, headers, payload as the value, timestampMs as the record
 * timestamp; the batch's base timestamp is the smallest of the messages'.
 */
import { buildRecordBatch } from '../kafka/record-batch-builder';
import type { OutgoingMessage } from './messages';

export function encodeMessageBatch(messages: readonly OutgoingMessage[]): Buffer {
  let baseTimestamp = messages[0].timestampMs;
  for (const m of messages) if (m.timestampMs < baseTimestamp) baseTimestamp = m.timestampMs;
  return buildRecordBatch({
    baseTimestamp,
    records: messages.map((m) => ({ key: m.key, value: m.payload, headers: m.headers, timestamp: m.timestampMs })),
  });
}
