/**
 * CreateTopics (19), on any broker. Each topic succeeds or fails on its own: name, partition
 * count (-1 = topics.defaultPartitions), replication factor (-1 or 1: a partition has one
 * replica), manual assignments (one live broker per partition, which the controller then
 * places and pins the partition on: coordination/assignment.ts) and configs are validated; the
 * topic is written to the MetadataStore create-if-absent (a lost race is TOPIC_ALREADY_EXISTS).
 * In a cluster the answer waits, up to timeoutMs, until the controller has given every
 * partition a live leader (REQUEST_TIMED_OUT past it; see cluster/topic-admin-wait.ts).
 */
import type { KafkaHandler, RequestContext } from '../handler';
import type { BrokerServices } from '../../services';
import { type TopicAdminWait, topicAdminWait } from '../../cluster/topic-admin-wait';
import { DomainError } from '../../errors';
import { describeTopicConfigs } from '../../topics/topic-config';
import { ErrorCode } from '../error-codes';
import { ZERO_UUID } from '../topic-ids';
import { configSourceOf, configTypeOf } from './config-wire';
import { duplicatesIn, topicAdminError } from './topic-admin-error';

interface CreatableTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: Array<{ partitionIndex: number; brokerIds: number[] }>;
  configs: Array<{ name: string; value: string | null }>;
}

interface CreateTopicsRequest {
  topics: CreatableTopic[];
  timeoutMs: number;
  validateOnly?: boolean;
}

function failure(name: string, errorCode: number, errorMessage: string | null) {
  return { name, topicId: ZERO_UUID, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1, configs: [] };
}

export function createTopicsHandler(services: BrokerServices): KafkaHandler {
  const { topics, cluster, config } = services;

  /** The broker named for each partition, by partition index (each index 0..n-1 exactly once); undefined without assignments. */
  const placementOf = (t: CreatableTopic): number[] | undefined => {
    if (t.assignments.length === 0) return undefined;
    const placement = new Array<number>(t.assignments.length);
    for (const a of t.assignments) {
      if (!Number.isInteger(a.partitionIndex) || a.partitionIndex < 0 || a.partitionIndex >= placement.length || placement[a.partitionIndex] !== undefined) {
        throw new DomainError('invalid-request', `manual assignments must name each partition from 0 to ${placement.length - 1} once; partition ${a.partitionIndex} is out of range or repeated`);
      }
      placement[a.partitionIndex] = a.brokerIds[0];
    }
    return placement;
  };

  const partitionCount = (t: CreatableTopic): number => {
    if (t.replicationFactor !== -1 && t.replicationFactor !== 1) {
      throw new DomainError('invalid-replication-factor', `replication factor ${t.replicationFactor} is not available: each partition has one replica`);
    }
    if (t.assignments.length === 0) return t.numPartitions === -1 ? config.topics.defaultPartitions : t.numPartitions;
    const live = new Set(cluster.brokers().map((b) => b.nodeId));
    if (t.numPartitions !== -1 || t.assignments.some((a) => a.brokerIds.length !== 1 || !live.has(a.brokerIds[0]))) {
      throw new DomainError('invalid-request', 'manual assignments need numPartitions -1 and exactly one live broker per partition');
    }
    return t.assignments.length;
  };

  const createOne = async (t: CreatableTopic, validateOnly: boolean, wait: TopicAdminWait, ctx: RequestContext) => {
    try {
      const configs: Record<string, string> = {};
      for (const c of t.configs) {
        if (c.value === null) throw new DomainError('invalid-config', `topic config ${c.name} has a null value`);
        configs[c.name] = c.value;
      }
      const partitions = partitionCount(t);
      const record = await topics.create({ name: t.name, partitions, configs, placement: placementOf(t) }, validateOnly);
      if (!validateOnly && !await wait.led(record.name, record.topicId, 0, record.partitions)) {
        return failure(t.name, ErrorCode.REQUEST_TIMED_OUT, `topic ${t.name} was created but its partitions had no leader within the request timeout; they will get one`);
      }
      return {
        name: t.name,
        topicId: record.topicId,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        numPartitions: record.partitions,
        replicationFactor: 1,
        configs: describeTopicConfigs(record.configs, config.topics).map((c) => ({
          name: c.name, value: c.value, readOnly: false, configSource: configSourceOf(c.isDefault), isSensitive: false, configType: configTypeOf(c.type),
        })),
      };
    } catch (err) {
      const { errorCode, errorMessage } = topicAdminError(err, { api: 'CreateTopics', topic: t.name, remote: ctx.connection.remote });
      return failure(t.name, errorCode, errorMessage);
    }
  };

  return {
    apiKey: 19,
    minVersion: 0,
    maxVersion: 7,
    async handle(request: CreateTopicsRequest, ctx) {
      const duplicates = duplicatesIn(request.topics.map((t) => t.name));
      const wait = topicAdminWait(services, request.timeoutMs);
      const results = await Promise.all(request.topics.map((t) => {
        if (duplicates.has(t.name)) return failure(t.name, ErrorCode.INVALID_REQUEST, `topic ${t.name} appears more than once in the request`);
        return createOne(t, request.validateOnly === true, wait, ctx);
      }));
      return { throttleTimeMs: 0, topics: results };
    },
    errorResponse: (request: CreateTopicsRequest, errorCode) => ({
      throttleTimeMs: 0,
      topics: request.topics.map((t) => failure(t.name, errorCode, null)),
    }),
  };
}
