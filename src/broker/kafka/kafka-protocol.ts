/**
 * The Kafka protocol on the shared listener: builds the handler registry (core handlers,
 * plugin handlers, ApiVersions answering from the table) and gives every socket no other
 * protocol claims its own KafkaConnection.
 */
import { apiSpecByKey } from '../../protocol/kafka/messages';
import { validBounds } from '../../protocol/kafka/schema';
import { componentLogger } from '../../log';
import type { ProtocolHandler } from '../net/protocols';
import type { BrokerServices } from '../services';
import { ConnectionLimits, KafkaConnection } from './connection';
import { KafkaDispatcher } from './dispatcher';
import { HandlerRegistry, KafkaHandler } from './handler';
import { apiVersionsHandler } from './handlers/api-versions';
import { coreHandlers } from './handlers';

const log = componentLogger('kafka');

/**
 * A handler's range clipped to what the codec describes: the broker never advertises a
 * version it cannot decode. An API the codec does not describe is left out.
 */
function clipToCodec(handler: KafkaHandler): KafkaHandler | null {
  const spec = apiSpecByKey(handler.apiKey);
  if (!spec) {
    log.warn({ apiKey: handler.apiKey }, 'no message description for this api key; not serving it');
    return null;
  }
  const bounds = validBounds(spec.request);
  const minVersion = Math.max(handler.minVersion, bounds.min);
  const maxVersion = Math.min(handler.maxVersion, bounds.max);
  if (minVersion > maxVersion) return null;
  return {
    apiKey: handler.apiKey,
    minVersion,
    maxVersion,
    handle: (body, context) => handler.handle(body, context),
    errorResponse: (body, code, context) => handler.errorResponse(body, code, context),
  };
}

export function buildHandlerRegistry(services: BrokerServices, pluginHandlers: KafkaHandler[]): HandlerRegistry {
  const registry = new HandlerRegistry([]);
  const all = [...coreHandlers.map((make) => make(services)), ...pluginHandlers, apiVersionsHandler(registry)];
  for (const handler of all) {
    const clipped = clipToCodec(handler);
    if (clipped) registry.add(clipped);
  }
  return registry;
}

export function kafkaProtocol(services: BrokerServices, pluginHandlers: KafkaHandler[], limits: ConnectionLimits): ProtocolHandler {
  const dispatcher = new KafkaDispatcher(buildHandlerRegistry(services, pluginHandlers));
  return {
    name: 'kafka',
    claims: () => true,
    accept: (socket) => new KafkaConnection(socket, dispatcher, limits),
  };
}
