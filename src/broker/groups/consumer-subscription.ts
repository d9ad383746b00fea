/**
 * The topics a member of a "consumer" protocol group subscribed to, read from its protocol
 * metadata (Kafka ConsumerProtocolSubscription: int16 version, array of int16-length topic
 * names, then fields this code does not need). OffsetDelete refuses to delete offsets of a topic
 * the group still consumes (GROUP_SUBSCRIBED_TO_TOPIC).
 */
import type { Group } from './group';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/** Topic names, or null when the bytes do not parse as a subscription. */
export function subscribedTopics(metadata: Buffer): string[] | null {
  if (metadata.length < 6) return null;
  if (metadata.readInt16BE(0) < 0) return null;
  const count = metadata.readInt32BE(2);
  if (count < 0 || count > metadata.length) return null;
  const topics: string[] = [];
  let at = 6;
  for (let i = 0; i < count; i++) {
    if (at + 2 > metadata.length) return null;
    const length = metadata.readInt16BE(at);
    at += 2;
    if (length < 0 || at + length > metadata.length) return null;
    topics.push(metadata.toString('utf8', at, at + length));
    at += length;
  }
  return topics;
}

/** Kafka isSubscribedToTopic: when any member's subscription cannot be read, assume it is subscribed. */
export function groupSubscribesTo(group: Group, topic: string): boolean {
  if (group.protocolName === null) return true;
  for (const member of group.members.values()) {
    const topics = subscribedTopics(member.metadataFor(group.protocolName));
    if (topics === null || topics.includes(topic)) return true;
  }
  return false;
}
