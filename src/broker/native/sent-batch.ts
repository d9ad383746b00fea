/**
 * The checks on a SEND_BATCH (docs/native-protocol.md §3, §7) before its batch is appended as
 * sent: the Kafka produce checks (one whole magic-2 batch, CRC-32C, record count tiling its
 * bytes, lastOffsetDelta; record-batch-validation.ts), then the native rules: attributes 0
 * (uncompressed, CreateTime, neither transactional nor control) and producer id -1, as the
 * broker's own SEND batches are, so native consumers and the idempotence state see nothing new;
 * at most sendMessagesMax records; every record well formed with offsetDelta = its index
 * (record-shape.ts: a walk of varints, nothing decoded); and the topic's schema and size policy
 * per message. Records are decoded only when a schema or size policy needs their values.
 */
import { NATIVE_LIMITS } from '../../limits';
import { ErrorCode } from '../../protocol/kafka/error-codes';
import { BATCH } from '../../protocol/kafka/record-batch';
import { decodeRecordBatch } from '../../protocol/kafka/record-batch-builder';
import { validateProducedBatch } from '../../protocol/kafka/record-batch-validation';
import type { SchemaInfo } from '../../protocol/native/messages';
import { NativeError } from './native-error';
import { recordShapeProblem } from './record-shape';
import { checkMessage, needsMessageChecks } from './schemas';

/** Not from a Kafka Produce: every codec check of the newest Produce version applies. */
const NEWEST_PRODUCE_VERSION = 2 ** 15 - 1;
const EMPTY = Buffer.alloc(0);

/** Throws invalidRequest, messageTooLarge or schemaValidation; returns the record count. */
export function checkSentBatch(batch: Buffer, schema: SchemaInfo, maxMessageBytes: number | undefined): number {
  const result = validateProducedBatch(batch, { produceVersion: NEWEST_PRODUCE_VERSION });
  if (!result.ok) {
    const code = result.errorCode === ErrorCode.MESSAGE_TOO_LARGE ? 'messageTooLarge' : 'invalidRequest';
    throw new NativeError(code, `record batch refused: ${result.message}`);
  }
  const { header } = result;
  if (header.attributes !== 0) {
    throw new NativeError('invalidRequest', `SEND_BATCH takes uncompressed CreateTime batches (attributes 0), not attributes 0x${header.attributes.toString(16)}`);
  }
  if (header.producerId !== -1n) throw new NativeError('invalidRequest', `SEND_BATCH batches carry producer id -1, not ${header.producerId}`);
  if (header.recordCount > NATIVE_LIMITS.sendMessagesMax) {
    throw new NativeError('invalidRequest', `SEND_BATCH carries ${header.recordCount} messages; at most ${NATIVE_LIMITS.sendMessagesMax}`);
  }
  const problem = recordShapeProblem(batch.subarray(BATCH.headerBytes), header.recordCount);
  if (problem !== null) throw new NativeError('invalidRequest', `record batch refused: ${problem}`);
  if (needsMessageChecks(schema, maxMessageBytes)) {
    const { records } = decodeRecordBatch(batch);
    for (let i = 0; i < records.length; i++) checkMessage(schema, maxMessageBytes, records[i].value ?? EMPTY, i);
  }
  return header.recordCount;
}

