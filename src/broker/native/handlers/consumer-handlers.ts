/**
 * SUBSCRIBE, FLOW, ACK, NACK and CLOSE_CONSUMER. A consumer is a SubscriptionConsumer whose
 * push writes MESSAGE frames on this connection. Acks with a requestId are answered once the
 * cursor is persisted (reliable topics); with requestId 0 they are fire and forget.
 */
import type { MessageOf } from '../../../protocol/native/messages';
import type { NativeHandler, Session } from '../native-context';
import { NativeError } from '../native-error';
import type { SubscriptionConsumer } from '../subscriptions/types';
import { openHandle } from './producer-handlers';

export const subscribe: NativeHandler = async (session, message) => {
  const m = message as MessageOf<'subscribe'>;
  const { context } = session;
  const { topic, policies } = openHandle(session, 'consumer', m.consumerId, m.topic);
  const meta = await context.topicMeta.get(topic.kafka);
  const id = `${session.connectionId}/${m.consumerId}`;
  const consumer: SubscriptionConsumer = {
    id,
    name: m.consumerName,
    priority: m.priority,
    push: (stored, redeliveryCount) => session.pushMessage(m.consumerId, stored, redeliveryCount),
    pushRun: (run) => session.pushRun(m.consumerId, run),
    activeChanged: (active) => session.push({ type: 'activeConsumerChange', consumerId: m.consumerId, active }),
    backpressured: () => session.backpressured(),
    closedByBroker: () => {
      session.consumers.delete(m.consumerId);
      session.push({ type: 'closeConsumer', consumerId: m.consumerId });
    },
  };
  const entry = await context.subscriptions.subscribe({
    topic, subscription: m.subscription, type: m.subscriptionType, initialPosition: m.initialPosition,
    positionValue: m.positionValue, reliable: meta.reliable, maxConsumers: policies.maxConsumersPerTopic,
  }, consumer);
  session.consumers.set(m.consumerId, { entry, subscriptionConsumerId: id });
  // The connection closed while subscribing: nobody will release this consumer later.
  if (session.isClosed()) releaseConsumer(session, m.consumerId);
  return { type: 'success' };
};

function consumerOf(session: Session, consumerId: number) {
  const consumer = session.consumers.get(consumerId);
  if (!consumer) throw new NativeError('unknownConsumer', `consumer ${consumerId} is not open on this connection`);
  return consumer;
}

async function receipt(session: Session, consumerId: number, requestId: number) {
  if (requestId === 0) return null;
  await consumerOf(session, consumerId).entry.cursors?.flush();
  return { type: 'success' as const };
}

export const flow: NativeHandler = async (session, message, requestId) => {
  const m = message as MessageOf<'flow'>;
  const { entry, subscriptionConsumerId } = consumerOf(session, m.consumerId);
  entry.subscription.flow(subscriptionConsumerId, m.permits);
  entry.reader.wake();
  return requestId === 0 ? null : { type: 'success' };
};

export const ack: NativeHandler = async (session, message, requestId) => {
  const m = message as MessageOf<'ack'>;
  const { entry } = consumerOf(session, m.consumerId);
  if (m.ackType === 'cumulative') {
    if (m.ids.length !== 1) throw new NativeError('invalidRequest', `a cumulative ack names exactly one message, not ${m.ids.length}`);
    entry.subscription.ackCumulative(m.ids[0]);
  } else {
    entry.subscription.ack(m.ids);
  }
  entry.reader.wake();
  return receipt(session, m.consumerId, requestId);
};

export const nack: NativeHandler = async (session, message, requestId) => {
  const m = message as MessageOf<'nack'>;
  consumerOf(session, m.consumerId).entry.subscription.nack(m.ids);
  return requestId === 0 ? null : { type: 'success' };
};

export const closeConsumer: NativeHandler = async (session, message) => {
  const m = message as MessageOf<'closeConsumer'>;
  consumerOf(session, m.consumerId);
  releaseConsumer(session, m.consumerId);
  return { type: 'success' };
};

export function releaseConsumer(session: Session, consumerId: number): void {
  const consumer = session.consumers.get(consumerId);
  if (!consumer) return;
  session.consumers.delete(consumerId);
  consumer.entry.subscription.removeConsumer(consumer.subscriptionConsumerId);
  consumer.entry.reader.wake();
}
