/** Kafka error codes for handlers: the protocol's one table (src/protocol/kafka/error-codes.ts) plus NONE. */
import { ErrorCode as KafkaErrorCode } from '../../protocol/kafka/error-codes';

export const ErrorCode = Object.freeze({ NONE: 0 as const, ...KafkaErrorCode });
