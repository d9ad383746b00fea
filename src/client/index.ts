/**
 * The Tributary native client, exported by the package:
 *
 *   const client = await connect({ bootstrap: '127.0.0.1:9092' });
 *   const producer = await client.producer({ topic: '/default/orders' });
 *   const { offset } = await producer.send('hello', { key: 'k' });
 *   const consumer = await client.subscribe({ topic: '/default/orders', subscription: 's', type: 'shared' });
 *   for await (const m of consumer) { ...; await consumer.ack(m); }
 */
export { connect, TributaryClient } from './client';
export type { ClientOptions } from './client';
export { Producer } from './producer';
export type { ProducerOptions, SendManyResult, SendOptions, SendResult } from './producer';
export { Consumer } from './consumer';
export type { ConsumerOptions, ReceivedMessage } from './consumer';
export { Admin } from './admin';
export { TributaryError, ConnectionLostError, RequestTimeoutError } from './errors';
export type { SchemaInfo, SchemaType, SubscriptionType, AccessMode, Header, MessageId } from '../protocol/native/messages';
