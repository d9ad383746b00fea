/**
 * Topic admin on any broker of a cluster. Kafka brokers forward CreateTopics, CreatePartitions
 * and DeleteTopics to the controller (KIP-590); here the broker that receives one writes the
 * topic definition to the MetadataStore itself, with compare-and-swap (topic-registry.ts), so
 * two brokers racing on one name agree on a single winner and the other answers
 * TOPIC_ALREADY_EXISTS. The controller watches `topics/` and assigns (or removes) the
 * partitions; the receiving broker answers once its own view shows the outcome, within the
 * request's timeoutMs: every new partition with a live leader, or every assignment of a
 * deleted topic gone. Past timeoutMs the change still completes in the background and the
 * answer is REQUEST_TIMED_OUT, as Kafka's; timeoutMs <= 0 answers at once without waiting.
 */
import { isCoordinationError } from '../../coordination/errors';
import { CLUSTER_SERVING_LIMITS } from '../../limits';
import type { BrokerServices } from '../services';

export interface TopicAdminWait {
  /** Resolves false if partitions [from, to) of the topic do not all have a live leader by the deadline. */
  led(topic: string, topicId: string, from: number, to: number): Promise<boolean>;
  /** Resolves false if some partition [0, count) of the deleted topic is still assigned at the deadline. */
  unassigned(topic: string, count: number): Promise<boolean>;
}

/** The waits of one request; its deadline starts now. */
export function topicAdminWait(services: Pick<BrokerServices, 'config' | 'cluster' | 'topics'>, timeoutMs: number): TopicAdminWait {
  const { cluster, topics } = services;
  const deadlineMs = Date.now() + Math.min(timeoutMs, CLUSTER_SERVING_LIMITS.topicAdminWaitMsMax);
  // A single node leads every partition the moment its topic exists: nothing to wait for.
  const skip = services.config.metadata.store !== 'etcd' || timeoutMs <= 0;
  return {
    led: (topic, topicId, from, to) => skip ? Promise.resolve(true) : pollUntil(deadlineMs, () =>
      // A topic deleted (or replaced) meanwhile is no longer this request's to wait for.
      topics.get(topic)?.topicId !== topicId || everyPartition(from, to, (p) => cluster.leaderOf(topic, p) !== -1)),
    unassigned: (topic, count) => skip ? Promise.resolve(true) : pollUntil(deadlineMs, () =>
      topics.get(topic) !== undefined || everyPartition(0, count, (p) => cluster.leaderEpochOf(topic, p) === -1)),
  };
}

/**
 * A metadata store that did not answer (etcd unreachable or overloaded) leaves the change
 * unknown, as a Kafka controller timing out does: REQUEST_TIMED_OUT, which clients retry (a
 * retried create that had been applied then answers TOPIC_ALREADY_EXISTS).
 */
export function isStoreTimeout(err: unknown): boolean {
  return isCoordinationError(err, 'STORE_UNAVAILABLE') || isCoordinationError(err, 'STORE_OVERLOADED');
}

function everyPartition(from: number, to: number, test: (partition: number) => boolean): boolean {
  for (let p = from; p < to; p++) if (!test(p)) return false;
  return true;
}

/**
 * The view is in memory and fed by watches, so polling it is a few map lookups; a poll (rather
 * than a listener per change) also sees changes that are not watch events, such as this
 * broker's own lease.
 */
async function pollUntil(deadlineMs: number, done: () => boolean): Promise<boolean> {
  for (;;) {
    if (done()) return true;
    const leftMs = deadlineMs - Date.now();
    if (leftMs <= 0) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(leftMs, CLUSTER_SERVING_LIMITS.topicAdminPollMs)));
  }
}
