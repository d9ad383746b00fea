/**
 * CreatePartitions (37), on any broker: raises a topic's partition count (a compare-and-swap
 * on the topic's key in the MetadataStore). Manual assignments must name one live broker per
 * new partition; the controller places and pins each new partition there (coordination/assignment.ts). In a cluster the answer waits, up to timeoutMs, until the controller has given
 * every new partition a live leader (REQUEST_TIMED_OUT past it; see cluster/topic-admin-wait.ts).
 */
import type { KafkaHandler, RequestContext } from '../handler';
import type { BrokerServices } from '../../services';
import { type TopicAdminWait, topicAdminWait } from '../../cluster/topic-admin-wait';
import { DomainError } from '../../errors';
import { ErrorCode } from '../error-codes';
import { duplicatesIn, topicAdminError } from './topic-admin-error';

interface CreatePartitionsTopic {
  name: string;
  count: number;
  assignments: Array<{ brokerIds: number[] }> | null;
}

interface CreatePartitionsRequest {
  topics: CreatePartitionsTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

export function createPartitionsHandler(services: BrokerServices): KafkaHandler {
  const { topics, cluster } = services;

  const growOne = async (t: CreatePartitionsTopic, validateOnly: boolean, wait: TopicAdminWait, ctx: RequestContext) => {
    try {
      const live = new Set(cluster.brokers().map((b) => b.nodeId));
      if (t.assignments && t.assignments.some((a) => a.brokerIds.length !== 1 || !live.has(a.brokerIds[0]))) {
        throw new DomainError('invalid-request', 'assignments need exactly one live broker per new partition');
      }
      const before = topics.get(t.name)?.partitions ?? 0;
      const record = await topics.addPartitions(t.name, t.count, validateOnly, t.assignments?.map((a) => a.brokerIds[0]));
      if (!validateOnly && !await wait.led(record.name, record.topicId, before, record.partitions)) {
        const errorMessage = `topic ${t.name} now has ${record.partitions} partitions but not all had a leader within the request timeout; they will get one`;
        return { name: t.name, errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage };
      }
      return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null };
    } catch (err) {
      return { name: t.name, ...topicAdminError(err, { api: 'CreatePartitions', topic: t.name, remote: ctx.connection.remote }) };
    }
  };

  return {
    apiKey: 37,
    minVersion: 0,
    maxVersion: 3,
    async handle(request: CreatePartitionsRequest, ctx) {
      const wait = topicAdminWait(services, request.timeoutMs);
      const duplicates = duplicatesIn(request.topics.map((t) => t.name));
      const results = await Promise.all(request.topics.map((t) => (duplicates.has(t.name)
        ? { name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `topic ${t.name} appears more than once in the request` }
        : growOne(t, request.validateOnly, wait, ctx))));
      return { throttleTimeMs: 0, results };
    },
    errorResponse: (request: CreatePartitionsRequest, errorCode) => ({
      throttleTimeMs: 0,
      results: request.topics.map((t) => ({ name: t.name, errorCode, errorMessage: null })),
    }),
  };
}
