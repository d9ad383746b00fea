/**
 * CONNECT, PING and LOOKUP (docs/native-protocol.md §3).
 */
import { NATIVE_LIMITS } from '../../../limits';
import { MessageOf, PROTOCOL_VERSION, PROTOCOL_VERSION_MIN } from '../../../protocol/native/messages';
import type { NativeHandler } from '../native-context';
import { NativeError } from '../native-error';
import { ownerAddress } from '../ownership';
import { parseTopicName } from '../topic-names';

export const connect: NativeHandler = async (session, message) => {
  const m = message as MessageOf<'connect'>;
  if (session.connected) throw new NativeError('invalidRequest', 'already connected');
  if (m.protocolVersion < PROTOCOL_VERSION_MIN || m.protocolVersion > PROTOCOL_VERSION) {
    throw new NativeError('unsupportedVersion', `protocol version ${m.protocolVersion} is not supported; this broker speaks ${PROTOCOL_VERSION_MIN} to ${PROTOCOL_VERSION}`);
  }
  const tokens = session.context.authTokens;
  if (tokens !== null && (m.authToken === null || !tokens.has(m.authToken))) {
    throw new NativeError('authenticationFailed', m.authToken === null ? 'this broker requires an auth token' : 'auth token not accepted');
  }
  session.connected = true;
  session.protocolVersion = m.protocolVersion;
  session.clientName = m.clientName;
  return {
    // The client's version: it speaks that one, this broker speaks every version up to its own.
    type: 'connected', protocolVersion: m.protocolVersion,
    brokerId: session.context.services.cluster.self.nodeId, frameBytesMax: NATIVE_LIMITS.frameBytesMax,
  };
};

export const ping: NativeHandler = async () => ({ type: 'pong' });

export const lookup: NativeHandler = async (session, message) => {
  const { services } = session.context;
  const name = parseTopicName((message as MessageOf<'lookup'>).topic);
  const owner = ownerAddress(services, name.kafka);
  if (owner !== null) return { type: 'lookupResult', redirect: true, brokerAddress: owner, partitions: 0 };
  const self = services.cluster.self;
  const record = services.topics.get(name.kafka);
  return { type: 'lookupResult', redirect: false, brokerAddress: `${self.host}:${self.port}`, partitions: record?.partitions ?? 0 };
};
