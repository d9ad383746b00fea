/**
 * The table of native request handlers: dispatch is a lookup (CONVENTIONS §4). Frame types not
 * in the table (replies and pushes sent by a client) are refused with invalidRequest.
 */
import type { FrameTypeName } from '../../../protocol/native/messages';
import type { NativeHandler } from '../native-context';
import { admin } from './admin-handlers';
import { ack, closeConsumer, flow, nack, subscribe } from './consumer-handlers';
import { closeProducer, createProducer, send, sendBatch } from './producer-handlers';
import { connect, lookup, ping } from './session-handlers';

export const NATIVE_HANDLERS: Partial<Record<FrameTypeName, NativeHandler>> = {
  connect, ping, lookup, createProducer, send, sendBatch, closeProducer, subscribe, flow, ack, nack, closeConsumer, admin,
};
