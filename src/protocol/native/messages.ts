/**
 * The typed messages of the native protocol, one per frame type (docs/native-protocol.md §3).
 * Codecs live in codec.ts; the numeric codes here are the wire contract.
 */

/** The newest version this code speaks; CONNECT negotiates down to the client's (spec §3). */
export const PROTOCOL_VERSION = 4;
/** The oldest version a broker still accepts: version 1 clients never send SEND_BATCH. */
export const PROTOCOL_VERSION_MIN = 1;
/** The first version with SEND_BATCH and SEND_BATCH_RECEIPT. */
export const SEND_BATCH_VERSION = 2;
/** The first version with MESSAGE_BATCH pushes. */
export const MESSAGE_BATCH_VERSION = 3;
/** The first version whose MESSAGE_BATCH may carry a slice of a stored batch (spec §3.2). */
export const MESSAGE_BATCH_SLICE_VERSION = 4;

export const FRAME_TYPES = {
  connect: 0x01,
  connected: 0x02,
  lookup: 0x03,
  lookupResult: 0x04,
  createProducer: 0x05,
  producerCreated: 0x06,
  closeProducer: 0x07,
  send: 0x08,
  sendReceipt: 0x09,
  subscribe: 0x0a,
  flow: 0x0b,
  message: 0x0c,
  ack: 0x0d,
  nack: 0x0e,
  closeConsumer: 0x0f,
  ping: 0x10,
  pong: 0x11,
  error: 0x12,
  activeConsumerChange: 0x13,
  success: 0x14,
  admin: 0x15,
  adminResult: 0x16,
  sendBatch: 0x17,
  sendBatchReceipt: 0x18,
  messageBatch: 0x19,
} as const;

export type FrameTypeName = keyof typeof FRAME_TYPES;

export const ACCESS_MODES = ['shared', 'exclusive'] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];

export const SUBSCRIPTION_TYPES = ['exclusive', 'shared', 'failover', 'key_shared'] as const;
export type SubscriptionType = (typeof SUBSCRIPTION_TYPES)[number];

export const INITIAL_POSITIONS = ['earliest', 'latest', 'offset', 'timestamp'] as const;
export type InitialPosition = (typeof INITIAL_POSITIONS)[number];

export const SCHEMA_TYPES = ['bytes', 'string', 'int64', 'json'] as const;
export type SchemaType = (typeof SCHEMA_TYPES)[number];

export const ACK_TYPES = ['individual', 'cumulative'] as const;
export type AckType = (typeof ACK_TYPES)[number];

export interface Header {
  key: string;
  value: Buffer | null;
}

export interface OutgoingMessage {
  key: Buffer | null;
  timestampMs: bigint;
  headers: Header[];
  payload: Buffer;
}

export interface MessageId {
  partition: number;
  offset: bigint;
}

export interface SchemaInfo {
  type: SchemaType;
  /** JSON Schema text for `json`; null otherwise or for JSON without a schema. */
  definition: string | null;
}

export interface ConnectMessage { type: 'connect'; protocolVersion: number; clientName: string; authToken: string | null }
export interface ConnectedMessage { type: 'connected'; protocolVersion: number; brokerId: number; frameBytesMax: number }
export interface LookupMessage { type: 'lookup'; topic: string }
export interface LookupResultMessage { type: 'lookupResult'; redirect: boolean; brokerAddress: string; partitions: number }
export interface CreateProducerMessage {
  type: 'createProducer'; producerId: number; topic: string; producerName: string; accessMode: AccessMode; schema: SchemaInfo;
}
export interface ProducerCreatedMessage { type: 'producerCreated'; producerId: number; partitions: number }
export interface CloseProducerMessage { type: 'closeProducer'; producerId: number }
export interface SendMessage { type: 'send'; producerId: number; partition: number; messages: OutgoingMessage[] }
export interface SendReceiptMessage { type: 'sendReceipt'; producerId: number; partition: number; offsets: bigint[] }
/** A Kafka RecordBatch v2 built by the client, stored as sent (protocol version 2). */
export interface SendBatchMessage { type: 'sendBatch'; producerId: number; partition: number; batch: Buffer }
/** Message i of the batch has offset baseOffset + i. */
export interface SendBatchReceiptMessage { type: 'sendBatchReceipt'; producerId: number; partition: number; baseOffset: bigint; count: number }
export interface SubscribeMessage {
  type: 'subscribe'; consumerId: number; topic: string; subscription: string; subscriptionType: SubscriptionType;
  consumerName: string; priority: number; initialPosition: InitialPosition; positionValue: bigint;
}
export interface FlowMessage { type: 'flow'; consumerId: number; permits: number }
export interface PushMessage {
  type: 'message'; consumerId: number; partition: number; offset: bigint; publishTimeMs: bigint;
  key: Buffer | null; headers: Header[]; payload: Buffer; redeliveryCount: number;
}
/**
 * Messages firstOffset..lastOffset of one stored RecordBatch v2 (uncompressed), pushed as the log
 * holds it (protocol version 3): the records of `batch` whose offset is in that range.
 */
export interface MessageBatchMessage {
  type: 'messageBatch'; consumerId: number; partition: number; firstOffset: bigint; lastOffset: bigint; batch: Buffer;
}
export interface AckMessage { type: 'ack'; consumerId: number; ackType: AckType; ids: MessageId[] }
export interface NackMessage { type: 'nack'; consumerId: number; ids: MessageId[] }
export interface CloseConsumerMessage { type: 'closeConsumer'; consumerId: number }
export interface PingMessage { type: 'ping' }
export interface PongMessage { type: 'pong' }
export interface ErrorMessage { type: 'error'; code: number; message: string }
export interface ActiveConsumerChangeMessage { type: 'activeConsumerChange'; consumerId: number; active: boolean }
export interface SuccessMessage { type: 'success' }
export interface AdminMessage { type: 'admin'; operation: string; request: string }
export interface AdminResultMessage { type: 'adminResult'; result: string }

export type NativeMessage =
  | ConnectMessage | ConnectedMessage | LookupMessage | LookupResultMessage
  | CreateProducerMessage | ProducerCreatedMessage | CloseProducerMessage
  | SendMessage | SendReceiptMessage | SendBatchMessage | SendBatchReceiptMessage | SubscribeMessage | FlowMessage | PushMessage
  | MessageBatchMessage
  | AckMessage | NackMessage | CloseConsumerMessage | PingMessage | PongMessage
  | ErrorMessage | ActiveConsumerChangeMessage | SuccessMessage | AdminMessage | AdminResultMessage;

export type MessageOf<T extends FrameTypeName> = Extract<NativeMessage, { type: T }>;
