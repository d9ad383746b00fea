/**
 * One codec per frame type, as data: a table from type name to (code, write, read). Encoding a
 * message gives the whole frame; decoding checks the type code, reads every field and refuses
 * trailing bytes. Layouts are specified field by field in docs/native-protocol.md §3.
 */
import { NativeFrame, encodeFrameHeader } from './frame';
import {
  ACCESS_MODES, ACK_TYPES, FRAME_TYPES, FrameTypeName, Header, INITIAL_POSITIONS, MessageId, MessageOf,
  NativeMessage, OutgoingMessage, SCHEMA_TYPES, SUBSCRIPTION_TYPES,
} from './messages';
import { NativeDecodeError, NativeReader, NativeWriter } from './wire';

interface Codec<T extends FrameTypeName> {
  write(w: NativeWriter, m: MessageOf<T>): void;
  read(r: NativeReader): Omit<MessageOf<T>, 'type'>;
}

function readEnum<T extends string>(r: NativeReader, values: readonly T[], what: string): T {
  const code = r.readUint8();
  if (code >= values.length) throw new NativeDecodeError(`${what} code ${code} is unknown (0..${values.length - 1})`);
  return values[code];
}

function writeEnum<T extends string>(w: NativeWriter, values: readonly T[], value: T): void {
  const code = values.indexOf(value);
  if (code < 0) throw new RangeError(`unknown value ${value}`);
  w.writeUint8(code);
}

function writeHeaders(w: NativeWriter, headers: Header[]): void {
  w.writeArray(headers, (ww, h) => ww.writeString(h.key).writeNullableBytes(h.value));
}

function readHeaders(r: NativeReader): Header[] {
  return r.readArray((rr) => ({ key: rr.readString(), value: rr.readNullableBytes() }));
}

function writeIds(w: NativeWriter, ids: MessageId[]): void {
  w.writeArray(ids, (ww, id) => ww.writeInt32(id.partition).writeInt64(id.offset));
}

function readIds(r: NativeReader): MessageId[] {
  return r.readArray((rr) => ({ partition: rr.readInt32(), offset: rr.readInt64() }));
}

function writeOutgoing(w: NativeWriter, m: OutgoingMessage): void {
  w.writeNullableBytes(m.key).writeInt64(m.timestampMs);
  writeHeaders(w, m.headers);
  w.writeBytes(m.payload);
}

function readOutgoing(r: NativeReader): OutgoingMessage {
  return { key: r.readNullableBytes(), timestampMs: r.readInt64(), headers: readHeaders(r), payload: r.readBytes() };
}

const empty = { write: () => undefined, read: () => ({}) };

const CODECS: { [T in FrameTypeName]: Codec<T> } = {
  connect: {
    write: (w, m) => w.writeUint8(m.protocolVersion).writeString(m.clientName).writeNullableString(m.authToken),
    read: (r) => ({ protocolVersion: r.readUint8(), clientName: r.readString(), authToken: r.readNullableString() }),
  },
  connected: {
    write: (w, m) => w.writeUint8(m.protocolVersion).writeInt32(m.brokerId).writeUint32(m.frameBytesMax),
    read: (r) => ({ protocolVersion: r.readUint8(), brokerId: r.readInt32(), frameBytesMax: r.readUint32() }),
  },
  lookup: { write: (w, m) => w.writeString(m.topic), read: (r) => ({ topic: r.readString() }) },
  lookupResult: {
    write: (w, m) => w.writeBoolean(m.redirect).writeString(m.brokerAddress).writeUint32(m.partitions),
    read: (r) => ({ redirect: r.readBoolean(), brokerAddress: r.readString(), partitions: r.readUint32() }),
  },
  createProducer: {
    write: (w, m) => {
      w.writeUint32(m.producerId).writeString(m.topic).writeString(m.producerName);
      writeEnum(w, ACCESS_MODES, m.accessMode);
      writeEnum(w, SCHEMA_TYPES, m.schema.type);
      w.writeNullableString(m.schema.definition);
    },
    read: (r) => ({
      producerId: r.readUint32(), topic: r.readString(), producerName: r.readString(),
      accessMode: readEnum(r, ACCESS_MODES, 'access mode'),
      schema: { type: readEnum(r, SCHEMA_TYPES, 'schema type'), definition: r.readNullableString() },
    }),
  },
  producerCreated: {
    write: (w, m) => w.writeUint32(m.producerId).writeUint32(m.partitions),
    read: (r) => ({ producerId: r.readUint32(), partitions: r.readUint32() }),
  },
  closeProducer: { write: (w, m) => w.writeUint32(m.producerId), read: (r) => ({ producerId: r.readUint32() }) },
  send: {
    write: (w, m) => w.writeUint32(m.producerId).writeInt32(m.partition).writeArray(m.messages, writeOutgoing),
    read: (r) => ({ producerId: r.readUint32(), partition: r.readInt32(), messages: r.readArray(readOutgoing) }),
  },
  sendReceipt: {
    write: (w, m) => w.writeUint32(m.producerId).writeInt32(m.partition).writeArray(m.offsets, (ww, o) => ww.writeInt64(o)),
    read: (r) => ({ producerId: r.readUint32(), partition: r.readInt32(), offsets: r.readArray((rr) => rr.readInt64()) }),
  },
  subscribe: {
    write: (w, m) => {
      w.writeUint32(m.consumerId).writeString(m.topic).writeString(m.subscription);
      writeEnum(w, SUBSCRIPTION_TYPES, m.subscriptionType);
      w.writeString(m.consumerName).writeInt32(m.priority);
      writeEnum(w, INITIAL_POSITIONS, m.initialPosition);
      w.writeInt64(m.positionValue);
    },
    read: (r) => ({
      consumerId: r.readUint32(), topic: r.readString(), subscription: r.readString(),
      subscriptionType: readEnum(r, SUBSCRIPTION_TYPES, 'subscription type'),
      consumerName: r.readString(), priority: r.readInt32(),
      initialPosition: readEnum(r, INITIAL_POSITIONS, 'initial position'), positionValue: r.readInt64(),
    }),
  },
  flow: {
    write: (w, m) => w.writeUint32(m.consumerId).writeUint32(m.permits),
    read: (r) => ({ consumerId: r.readUint32(), permits: r.readUint32() }),
  },
  message: {
    write: (w, m) => {
      w.writeUint32(m.consumerId).writeInt32(m.partition).writeInt64(m.offset).writeInt64(m.publishTimeMs);
      w.writeNullableBytes(m.key);
      writeHeaders(w, m.headers);
      w.writeBytes(m.payload).writeUint32(m.redeliveryCount);
    },
    read: (r) => ({
      consumerId: r.readUint32(), partition: r.readInt32(), offset: r.readInt64(), publishTimeMs: r.readInt64(),
      key: r.readNullableBytes(), headers: readHeaders(r), payload: r.readBytes(), redeliveryCount: r.readUint32(),
    }),
  },
  ack: {
    write: (w, m) => {
      w.writeUint32(m.consumerId);
      writeEnum(w, ACK_TYPES, m.ackType);
      writeIds(w, m.ids);
    },
    read: (r) => ({ consumerId: r.readUint32(), ackType: readEnum(r, ACK_TYPES, 'ack type'), ids: readIds(r) }),
  },
  nack: {
    write: (w, m) => {
      w.writeUint32(m.consumerId);
      writeIds(w, m.ids);
    },
    read: (r) => ({ consumerId: r.readUint32(), ids: readIds(r) }),
  },
  closeConsumer: { write: (w, m) => w.writeUint32(m.consumerId), read: (r) => ({ consumerId: r.readUint32() }) },
  ping: empty,
  pong: empty,
  error: {
    write: (w, m) => w.writeUint16(m.code).writeString(m.message),
    read: (r) => ({ code: r.readUint16(), message: r.readString() }),
  },
  activeConsumerChange: {
    write: (w, m) => w.writeUint32(m.consumerId).writeBoolean(m.active),
    read: (r) => ({ consumerId: r.readUint32(), active: r.readBoolean() }),
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

export class UnknownFrameTypeError extends NativeDecodeError {
  constructor(readonly frameType: number) {
    super(`unknown frame type 0x${frameType.toString(16).padStart(2, '0')}`);
    this.name = 'UnknownFrameTypeError';
  }
}

/** The whole frame (prefix, header, body) of one message. */
export function encodeNativeMessage(message: NativeMessage, requestId: number): Buffer {
  const body = new NativeWriter(message.type === 'message' || message.type === 'send' ? 1024 : 64);
  (CODECS[message.type] as Codec<FrameTypeName>).write(body, message as never);
  const bytes = body.toBuffer();
  return Buffer.concat([encodeFrameHeader(FRAME_TYPES[message.type], requestId, bytes.length), bytes]);
}

/** Decodes a frame's body by its type; throws NativeDecodeError (or UnknownFrameTypeError). */
export function decodeNativeFrame(frame: NativeFrame): NativeMessage {
  const name = NAME_BY_CODE.get(frame.type);
  if (name === undefined) throw new UnknownFrameTypeError(frame.type);
  const reader = new NativeReader(frame.body);
  const fields = CODECS[name].read(reader);
  reader.expectEnd(`${name} frame`);
  return { type: name, ...fields } as NativeMessage;
}
