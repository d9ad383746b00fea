/**
 * Messages as the consumer hands them out. A MESSAGE push gives a Received with every field
 * decoded; a MESSAGE_BATCH push (docs/native-protocol.md §3.2) gives a BatchMessages source in the
 * receiver queue, which makes each message only when it is taken. Such a BatchReceived knows its
 * offset and where its record starts; key, headers, payload and publish time are decoded from the
 * batch bytes on first use, so a consumer that reads only some fields pays only for those.
 */
import { BATCH, readBatchHeader } from '../protocol/kafka/record-batch';
import { type KafkaRecord, readRecord } from '../protocol/kafka/records';
import type { Header, SchemaType } from '../protocol/native/messages';
import { Reader } from '../protocol/primitives/reader';
import { ItemSource } from './message-queue';
import { decodeValue } from './payload';

export interface ReceivedMessage {
  topic: string;
  partition: number;
  offset: bigint;
  publishTimeMs: bigint;
  key: Buffer | null;
  headers: Header[];
  payload: Buffer;
  redeliveryCount: number;
  /** The payload decoded by the consumer's schema option (bytes, string, int64 as bigint, json). */
  value(): unknown;
}

/** One class for every MESSAGE push: no closure per message on the hot path. */
export class Received implements ReceivedMessage {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: bigint,
    readonly publishTimeMs: bigint,
    readonly key: Buffer | null,
    readonly headers: Header[],
    readonly payload: Buffer,
    readonly redeliveryCount: number,
    private readonly schema: SchemaType,
  ) {}

  value(): unknown {
    return decodeValue(this.payload, this.schema);
  }
}

const EMPTY = Buffer.alloc(0);
const BATCH_HEADER_BYTES = BATCH.headerBytes;
// Module constants, not the imports: tsx's CommonJS output reads imports through getters.
const readOneRecord = readRecord;

/** A message of a MESSAGE_BATCH push, decoded from its record on first use. */
class BatchReceived implements ReceivedMessage {
  private record: KafkaRecord | null = null;

  constructor(readonly offset: bigint, private readonly source: BatchMessages, private readonly at: number) {}

  get topic(): string {
    return this.source.topic;
  }

  get partition(): number {
    return this.source.partition;
  }

  get redeliveryCount(): number {
    return 0;
  }

  get publishTimeMs(): bigint {
    const { logAppendTimeMs, baseTimestampMs } = this.source;
    if (logAppendTimeMs !== null) return logAppendTimeMs;
    const delta = this.decoded().timestampDelta;
    return delta === 0n ? baseTimestampMs : baseTimestampMs + delta;
  }

  get key(): Buffer | null {
    return this.decoded().key;
  }

  get headers(): Header[] {
    return this.decoded().headers as Header[];
  }

  get payload(): Buffer {
    return this.decoded().value ?? EMPTY;
  }

  value(): unknown {
    return decodeValue(this.payload, this.source.schema);
  }

  private decoded(): KafkaRecord {
    if (this.record === null) this.record = readOneRecord(new Reader(this.source.batch, this.at));
    return this.record;
  }
}

/**
 * The messages of one MESSAGE_BATCH push: the records whose offset (baseOffset + offsetDelta)
 * lies in firstOffset..lastOffset. Pushing walks the records once by their length prefixes and
 * offset deltas (no record decoded, nothing allocated but two number arrays), so the count is known
 * and a batch that does not frame its records is refused right there.
 */
export class BatchMessages extends ItemSource<ReceivedMessage> {
  readonly baseTimestampMs: bigint;
  readonly logAppendTimeMs: bigint | null;
  private readonly starts: Int32Array;
  private readonly deltas: Int32Array;
  private readonly baseOffset: bigint;
  private next = 0;
  private readonly count: number;
  private lastDelta = -2;
  private lastOffset = 0n;

  constructor(readonly topic: string, readonly partition: number, readonly batch: Buffer, firstOffset: bigint, lastOffset: bigint, readonly schema: SchemaType) {
    super();
    const header = readBatchHeader(batch);
    if (header.compressionId !== 0) throw new Error(`MESSAGE_BATCH at offset ${header.baseOffset} is compressed`);
    this.baseOffset = header.baseOffset;
    this.baseTimestampMs = header.baseTimestamp;
    this.logAppendTimeMs = header.timestampType === 'log-append' ? header.maxTimestamp : null;
    this.starts = new Int32Array(header.recordCount);
    this.deltas = new Int32Array(header.recordCount);
    // Offset deltas within the range, as numbers: firstOffset - baseOffset .. lastOffset - baseOffset.
    const low = Number(firstOffset - header.baseOffset);
    const high = Number(lastOffset - header.baseOffset);
    let n = 0;
    let at: number = BATCH_HEADER_BYTES;
    for (let i = 0; i < header.recordCount; i++) {
      const start = at;
      const length = readVarint(batch, at);
      at = varintEnd;
      const end = at + length;
      if (length < 0 || end > batch.length) throw new Error(`MESSAGE_BATCH record ${i} does not fit its batch`);
      // attributes (1 byte), timestampDelta (varlong), then offsetDelta (varint).
      let p = at + 1;
      while (p < end && batch[p] >= 0x80) p++;
      const delta = readVarint(batch, p + 1);
      if (delta >= low && delta <= high) {
        this.starts[n] = start;
        this.deltas[n++] = delta;
      }
      at = end;
    }
    this.count = n;
  }

  get remaining(): number {
    return this.count - this.next;
  }

  take(): ReceivedMessage {
    const i = this.next++;
    const delta = this.deltas[i];
    // Consecutive offsets (the usual case) cost one bigint addition.
    const offset = delta === this.lastDelta + 1 ? this.lastOffset + 1n : this.baseOffset + BigInt(delta);
    this.lastDelta = delta;
    this.lastOffset = offset;
    return new BatchReceived(offset, this, this.starts[i]);
  }
}

/** Where the last readVarint stopped. */
let varintEnd = 0;

/** A zigzag varint (int32) at `at`; sets varintEnd. */
function readVarint(b: Buffer, at: number): number {
  let raw = 0;
  let shift = 0;
  let byte: number;
  do {
    if (at >= b.length || shift > 28) throw new Error('MESSAGE_BATCH holds a malformed varint');
    byte = b[at++];
    raw |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte >= 0x80);
  varintEnd = at;
  return (raw >>> 1) ^ -(raw & 1);
}
