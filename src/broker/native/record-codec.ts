/**
 * The native path's view of the partition log format: native sends become one Kafka
 * RecordBatch v2 (uncompressed, CreateTime) and dispatch decodes stored batches into messages.
 * Implemented over src/protocol/kafka's record-batch functions (kafka-record-codec.ts); the
 * dispatch code depends only on this interface.
 */
import type { OutgoingMessage } from '../../protocol/native/messages';
import type { StoredMessage } from './subscriptions/types';

/**
 * A stored batch that cannot be decoded (corrupt, or past the decompression limit). It carries the
 * messages of the batches before it, so dispatch delivers those and stops at `offset`.
 */
export class UndecodableBatchError extends Error {
  constructor(message: string, readonly offset: bigint, readonly before: StoredMessage[]) {
    super(message);
    this.name = 'UndecodableBatchError';
  }
}

export interface NativeRecordCodec {
  /** One batch holding `messages` in order (base offset 0: the log assigns the real one). */
  encodeBatch(messages: OutgoingMessage[]): Buffer;
  /**
   * Every data record of the stored batches, in offset order, as messages of `partition`;
   * control batches are skipped and compressed batches decompressed. A batch that does not
   * decode throws UndecodableBatchError.
   */
  decodeBatches(chunks: Buffer[], partition: number): Promise<StoredMessage[]>;
}
