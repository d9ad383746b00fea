/**
 * One codec per frame type, as data: a table from type name to (code, write, read). Encoding a
 * message gives the whole frame; decoding checks the type code, reads every field and refuses
 * trailing bytes. Layouts are specified field by field in docs/native-protocol.md §3.
 */
import { DecodeError } from '../primitives/decode-error';
import { Reader } from '../primitives/reader';
import { Writer } from '../primitives/writer';
import { NATIVE_MAGIC, NATIVE_PREFIX_BYTES, NativeFrame } from './frame';
import {
  ACCESS_MODES, ACK_TYPES, FRAME_TYPES, FrameTypeName, Header, INITIAL_POSITIONS, MessageId, MessageOf,
  NativeMessage, OutgoingMessage, SCHEMA_TYPES, SUBSCRIPTION_TYPES,
} from './messages';

interface Codec<T extends FrameTypeName> {
  write(w: Writer, m: MessageOf<T>): void;
  read(r: Reader): Omit<MessageOf<T>, 'type'>;
}

// The native protocol's own field rules on top of the shared Kafka primitives (spec §2).
function readUint8(r: Reader, what: string): number {
  const v = r.readInt8();
  if (v < 0) throw new DecodeError(`${what} ${v & 0xff} is out of range`, r.offset - 1);
  return v;
}

function readStrictBoolean(r: Reader): boolean {
  const v = r.readInt8();
  if (v !== 0 && v !== 1) throw new DecodeError(`boolean must be 0 or 1, not ${v & 0xff}`, r.offset - 1);
  return v === 1;
}

function readArray<T>(r: Reader, readItem: (reader: Reader) => T): T[] {
  const count = r.readArrayLength();
  const items: T[] = [];
  for (let i = 0; i < count; i++) items.push(readItem(r));
  return items;
}

function writeArray<T>(w: Writer, items: readonly T[], writeItem: (writer: Writer, item: T) => void): Writer {
  w.writeArrayLength(items.length);
  for (const item of items) writeItem(w, item);
  return w;
}

function readEnum<T extends string>(r: Reader, values: readonly T[], what: string): T {
  const code = r.readInt8();
  if (code < 0 || code >= values.length) throw new DecodeError(`${what} code ${code & 0xff} is unknown (0..${values.length - 1})`, r.offset - 1);
  return values[code];
}

function writeEnum<T extends string>(w: Writer, values: readonly T[], value: T): void {
  const code = values.indexOf(value);
  if (code < 0) throw new RangeError(`unknown value ${value}`);
  w.writeInt8(code);
}

function writeHeaders(w: Writer, headers: Header[]): void {
  writeArray(w, headers, (ww, h) => ww.writeString(h.key).writeNullableBytes(h.value));
}

function readHeaders(r: Reader): Header[] {
  return readArray(r, (rr) => ({ key: rr.readString(), value: rr.readNullableBytes() }));
}

function writeIds(w: Writer, ids: MessageId[]): void {
  writeArray(w, ids, (ww, id) => ww.writeInt32(id.partition).writeInt64(id.offset));
}

function readIds(r: Reader): MessageId[] {
  return readArray(r, (rr) => ({ partition: rr.readInt32(), offset: rr.readInt64() }));
}

function writeOutgoing(w: Writer, m: OutgoingMessage): void {
  w.writeNullableBytes(m.key).writeInt64(m.timestampMs);
  writeHeaders(w, m.headers);
  w.writeBytes(m.payload);
}

function readOutgoing(r: Reader): OutgoingMessage {
  return { key: r.readNullableBytes(), timestampMs: r.readInt64(), headers: readHeaders(r), payload: r.readBytes() };
}

const empty = { write: () => undefined, read: () => ({}) };

const CODECS: { [T in FrameTypeName]: Codec<T> } = {
  connect: {
    write: (w, m) => w.writeInt8(m.protocolVersion).writeString(m.clientName).writeNullableString(m.authToken),
    read: (r) => ({ protocolVersion: readUint8(r, 'protocol version'), clientName: r.readString(), authToken: r.readNullableString() }),
  },
  connected: {
    write: (w, m) => w.writeInt8(m.protocolVersion).writeInt32(m.brokerId).writeUInt32(m.frameBytesMax),
    read: (r) => ({ protocolVersion: readUint8(r, 'protocol version'), brokerId: r.readInt32(), frameBytesMax: r.readUInt32() }),
  },
  lookup: { write: (w, m) => w.writeString(m.topic), read: (r) => ({ topic: r.readString() }) },
  lookupResult: {
    write: (w, m) => w.writeBoolean(m.redirect).writeString(m.brokerAddress).writeUInt32(m.partitions),
    read: (r) => ({ redirect: readStrictBoolean(r), brokerAddress: r.readString(), partitions: r.readUInt32() }),
  },
  createProducer: {
    write: (w, m) => {
      w.writeUInt32(m.producerId).writeString(m.topic).writeString(m.producerName);
      writeEnum(w, ACCESS_MODES, m.accessMode);
      writeEnum(w, SCHEMA_TYPES, m.schema.type);
      w.writeNullableString(m.schema.definition);
    },
    read: (r) => ({
      producerId: r.readUInt32(), topic: r.readString(), producerName: r.readString(),
      accessMode: readEnum(r, ACCESS_MODES, 'access mode'),
      schema: { type: readEnum(r, SCHEMA_TYPES, 'schema type'), definition: r.readNullableString() },
    }),
  },
  producerCreated: {
    write: (w, m) => w.writeUInt32(m.producerId).writeUInt32(m.partitions),
    read: (r) => ({ producerId: r.readUInt32(), partitions: r.readUInt32() }),
  },
  closeProducer: { write: (w, m) => w.writeUInt32(m.producerId), read: (r) => ({ producerId: r.readUInt32() }) },
  send: {
    write: (w, m) => writeArray(w.writeUInt32(m.producerId).writeInt32(m.partition), m.messages, writeOutgoing),
    read: (r) => ({ producerId: r.readUInt32(), partition: r.readInt32(), messages: readArray(r, readOutgoing) }),
  },
  sendReceipt: {
    write: (w, m) => writeArray(w.writeUInt32(m.producerId).writeInt32(m.partition), m.offsets, (ww, o) => ww.writeInt64(o)),
    read: (r) => ({ producerId: r.readUInt32(), partition: r.readInt32(), offsets: readArray(r, (rr) => rr.readInt64()) }),
  },
  sendBatch: {
    write: (w, m) => w.writeUInt32(m.producerId).writeInt32(m.partition).writeBytes(m.batch),
    read: (r) => ({ producerId: r.readUInt32(), partition: r.readInt32(), batch: r.readBytes() }),
  },
  sendBatchReceipt: {
    write: (w, m) => w.writeUInt32(m.producerId).writeInt32(m.partition).writeInt64(m.baseOffset).writeInt32(m.count),
    read: (r) => ({ producerId: r.readUInt32(), partition: r.readInt32(), baseOffset: r.readInt64(), count: r.readInt32() }),
  },
  subscribe: {
    write: (w, m) => {
      w.writeUInt32(m.consumerId).writeString(m.topic).writeString(m.subscription);
      writeEnum(w, SUBSCRIPTION_TYPES, m.subscriptionType);
      w.writeString(m.consumerName).writeInt32(m.priority);
      writeEnum(w, INITIAL_POSITIONS, m.initialPosition);
      w.writeInt64(m.positionValue);
    },
    read: (r) => ({
      consumerId: r.readUInt32(), topic: r.readString(), subscription: r.readString(),
      subscriptionType: readEnum(r, SUBSCRIPTION_TYPES, 'subscription type'),
      consumerName: r.readString(), priority: r.readInt32(),
      initialPosition: readEnum(r, INITIAL_POSITIONS, 'initial position'), positionValue: r.readInt64(),
    }),
  },
  flow: {
    write: (w, m) => w.writeUInt32(m.consumerId).writeUInt32(m.permits),
    read: (r) => ({ consumerId: r.readUInt32(), permits: r.readUInt32() }),
  },
  message: {
    write: (w, m) => {
      w.writeUInt32(m.consumerId).writeInt32(m.partition).writeInt64(m.offset).writeInt64(m.publishTimeMs);
      w.writeNullableBytes(m.key);
      writeHeaders(w, m.headers);
      w.writeBytes(m.payload).writeUInt32(m.redeliveryCount);
    },
    read: (r) => ({
      consumerId: r.readUInt32(), partition: r.readInt32(), offset: r.readInt64(), publishTimeMs: r.readInt64(),
      key: r.readNullableBytes(), headers: readHeaders(r), payload: r.readBytes(), redeliveryCount: r.readUInt32(),
    }),
  },
  messageBatch: {
    write: (w, m) => w.writeUInt32(m.consumerId).writeInt32(m.partition).writeInt64(m.firstOffset).writeInt64(m.lastOffset).writeBytes(m.batch),
    read: (r) => ({ consumerId: r.readUInt32(), partition: r.readInt32(), firstOffset: r.readInt64(), lastOffset: r.readInt64(), batch: r.readBytes() }),
  },
  ack: {
    write: (w, m) => {
      w.writeUInt32(m.consumerId);
      writeEnum(w, ACK_TYPES, m.ackType);
      writeIds(w, m.ids);
    },
    read: (r) => ({ consumerId: r.readUInt32(), ackType: readEnum(r, ACK_TYPES, 'ack type'), ids: readIds(r) }),
  },
  nack: {
    write: (w, m) => {
      w.writeUInt32(m.consumerId);
      writeIds(w, m.ids);
    },
    read: (r) => ({ consumerId: r.readUInt32(), ids: readIds(r) }),
  },
  closeConsumer: { write: (w, m) => w.writeUInt32(m.consumerId), read: (r) => ({ consumerId: r.readUInt32() }) },
  ping: empty,
  pong: empty,
  error: {
    write: (w, m) => w.writeUInt16(m.code).writeString(m.message),
    read: (r) => ({ code: r.readUInt16(), message: r.readString() }),
  },
  activeConsumerChange: {
    write: (w, m) => w.writeUInt32(m.consumerId).writeBoolean(m.active),
    read: (r) => ({ consumerId: r.readUInt32(), active: readStrictBoolean(r) }),
  },
  success: empty,
  admin: {
    write: (w, m) => w.writeString(m.operation).writeBytes(Buffer.from(m.request, 'utf8')),
    read: (r) => ({ operation: r.readString(), request: r.readBytes().toString('utf8') }),
  },
  adminResult: {
    write: (w, m) => w.writeBytes(Buffer.from(m.result, 'utf8')),
    read: (r) => ({ result: r.readBytes().toString('utf8') }),
  },
};

const NAME_BY_CODE = new Map<number, FrameTypeName>(
  Object.entries(FRAME_TYPES).map(([name, code]) => [code, name as FrameTypeName]),
);

export class UnknownFrameTypeError extends DecodeError {
  constructor(readonly frameType: number) {
    super(`unknown frame type 0x${frameType.toString(16).padStart(2, '0')}`, 5);
    this.name = 'UnknownFrameTypeError';
  }
}

/**
 * The whole frame of one message as chunks to write back to back: the 10-byte prefix and
 * header, then the body (large payloads are referenced, not copied).
 */
export function encodeNativeFrame(message: NativeMessage, requestId: number): Buffer[] {
  if (message.type === 'message') return [encodePushedMessage(message, requestId)];
  const w = new Writer(message.type === 'send' ? 1024 : 64);
  // Prefix and header first, patched below: the writer's first chunk always holds these 10 bytes.
  w.writeInt8(NATIVE_MAGIC - 0x100).writeUInt32(0).writeInt8(FRAME_TYPES[message.type]).writeUInt32(requestId >>> 0);
  (CODECS[message.type] as Codec<FrameTypeName>).write(w, message as never);
  const chunks = w.chunksOut();
  chunks[0].writeUInt32BE(w.length - NATIVE_PREFIX_BYTES, 1);
  return chunks;
}

/**
 * MESSAGE frames, the broker's hottest write, written straight into a caller's buffer: the same
 * layout as the table's `message` codec (spec §3; the byte-vector test covers both), without the
 * writer's chunks or a message object per push.
 */
export interface PushedMessage {
  readonly partition: number;
  readonly offset: bigint;
  readonly publishTimeMs: bigint;
  readonly key: Buffer | null;
  readonly headers: readonly Header[];
  readonly payload: Buffer;
}

const MESSAGE_FIXED_BYTES = NATIVE_PREFIX_BYTES + 5 + 4 + 4 + 8 + 8 + 4 + 4 + 4 + 4;
/*
 * Hot-path bindings copied into module constants: the tsx (esbuild) CommonJS output turns every
 * use of an imported name into a property read through a getter on the other module's exports,
 * which showed as ~10% of the broker's CPU per pushed message (--cpu-prof, "get codec.ts").
 */
const MAGIC = NATIVE_MAGIC;
const PREFIX_BYTES = NATIVE_PREFIX_BYTES;
const MESSAGE_TYPE = FRAME_TYPES.message;

/** Bytes of the MESSAGE frame of `m` (header keys counted as UTF-8 bytes). */
export function pushedMessageBytes(m: PushedMessage): number {
  let size = MESSAGE_FIXED_BYTES + (m.key?.length ?? 0) + m.payload.length;
  for (const h of m.headers) size += 2 + Buffer.byteLength(h.key, 'utf8') + 4 + (h.value?.length ?? 0);
  return size;
}

/** A buffer and a DataView over exactly it: V8 inlines DataView writes (bigints ~7x faster than Buffer's). */
export interface ViewedBuffer {
  readonly bytes: Buffer;
  readonly view: DataView;
}

export function viewed(bytes: Buffer): ViewedBuffer {
  return { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.length) };
}

/** Writes the MESSAGE frame (requestId 0) of `m` at `at`, `size` = pushedMessageBytes(m); returns the end. */
export function writePushedMessage(target: ViewedBuffer, at: number, size: number, consumerId: number, m: PushedMessage, redeliveryCount: number): number {
  const { bytes: b, view } = target;
  b[at] = MAGIC;
  view.setUint32(at + 1, size - PREFIX_BYTES);
  b[at + 5] = MESSAGE_TYPE;
  view.setUint32(at + 6, 0);
  view.setUint32(at + 10, consumerId);
  view.setInt32(at + 14, m.partition);
  view.setBigInt64(at + 18, m.offset);
  view.setBigInt64(at + 26, m.publishTimeMs);
  at = writeSizedBytes(target, at + 34, m.key);
  view.setInt32(at, m.headers.length);
  at += 4;
  for (const h of m.headers) {
    const keyBytes = Buffer.byteLength(h.key, 'utf8');
    if (keyBytes > 0x7fff) throw new RangeError(`header key of ${keyBytes} bytes exceeds int16 length`);
    view.setInt16(at, keyBytes);
    at += 2 + b.write(h.key, at + 2, keyBytes, 'utf8');
    at = writeSizedBytes(target, at, h.value);
  }
  at = writeSizedBytes(target, at, m.payload);
  view.setUint32(at, redeliveryCount);
  return at + 4;
}

/** MESSAGE_BATCH frame bytes before the batch itself: prefix, header, consumerId, partition, two offsets, the batch's int32 length. */
export const MESSAGE_BATCH_HEADER_BYTES = NATIVE_PREFIX_BYTES + 5 + 4 + 4 + 8 + 8 + 4;
const MESSAGE_BATCH_TYPE = FRAME_TYPES.messageBatch;

/**
 * Writes the MESSAGE_BATCH frame (requestId 0) up to the batch bytes, which the caller sends
 * right after it as they are (the same layout as the table's `messageBatch` codec; the byte-vector
 * test covers both). Returns the end.
 */
export function writeMessageBatchHeader(target: ViewedBuffer, at: number, consumerId: number, partition: number, firstOffset: bigint, lastOffset: bigint, batchBytes: number): number {
  const { bytes: b, view } = target;
  b[at] = MAGIC;
  view.setUint32(at + 1, MESSAGE_BATCH_HEADER_BYTES - PREFIX_BYTES + batchBytes);
  b[at + 5] = MESSAGE_BATCH_TYPE;
  view.setUint32(at + 6, 0);
  view.setUint32(at + 10, consumerId);
  view.setInt32(at + 14, partition);
  view.setBigInt64(at + 18, firstOffset);
  view.setBigInt64(at + 26, lastOffset);
  view.setInt32(at + 34, batchBytes);
  return at + MESSAGE_BATCH_HEADER_BYTES;
}

function encodePushedMessage(m: MessageOf<'message'>, requestId: number): Buffer {
  const size = pushedMessageBytes(m);
  const target = viewed(Buffer.allocUnsafe(size));
  writePushedMessage(target, 0, size, m.consumerId, m, m.redeliveryCount);
  target.view.setUint32(6, requestId >>> 0);
  return target.bytes;
}

function writeSizedBytes(target: ViewedBuffer, at: number, bytes: Buffer | null): number {
  if (bytes === null) {
    target.view.setInt32(at, -1);
    return at + 4;
  }
  target.view.setInt32(at, bytes.length);
  target.bytes.set(bytes, at + 4);
  return at + 4 + bytes.length;
}

/** The whole frame as one buffer. */
export function encodeNativeMessage(message: NativeMessage, requestId: number): Buffer {
  return Buffer.concat(encodeNativeFrame(message, requestId));
}

/** Decodes a frame's body by its type; throws DecodeError (UnknownFrameTypeError for an unknown type). */
export function decodeNativeFrame(frame: NativeFrame): NativeMessage {
  const name = NAME_BY_CODE.get(frame.type);
  if (name === undefined) throw new UnknownFrameTypeError(frame.type);
  const reader = new Reader(frame.body);
  const fields = CODECS[name].read(reader);
  if (reader.remaining() !== 0) throw new DecodeError(`${name} frame has ${reader.remaining()} unexpected trailing bytes`, reader.offset);
  // The codec's object becomes the message (no copy: this runs once per pushed message).
  (fields as { type?: FrameTypeName }).type = name;
  return fields as NativeMessage;
}
