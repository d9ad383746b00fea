/**
 * Metadata (3): brokers, cluster id, controller, and topics with their partitions, led by the
 * nodes the cluster view names. Unknown topics are created when both the request (v4+
 * allow_auto_topic_creation; always allowed before v4) and the broker (topics.autoCreate)
 * allow it; creation is synchronous, so the answer already carries the new topic.
 */
import type { Body, KafkaHandler, RequestContext } from '../handler';
import type { BrokerServices } from '../../services';
import { isDomainError } from '../../errors';
import type { TopicRecord } from '../../topics/topic-registry';
import { ErrorCode } from '../error-codes';
import { errorCodeFor } from '../error-mapping';
import { topicIdOrZero, ZERO_UUID } from '../topic-ids';
import { authorizedOperations, OPERATIONS_NOT_REQUESTED } from '../authorized-operations';

interface MetadataRequestTopic {
  topicId?: string;
  name: string | null;
}

interface MetadataRequest {
  topics: MetadataRequestTopic[] | null;
  allowAutoTopicCreation?: boolean;
  includeClusterAuthorizedOperations?: boolean;
  includeTopicAuthorizedOperations?: boolean;
}

export function metadataHandler(services: BrokerServices): KafkaHandler {
  const { cluster, topics, config } = services;

  const describe = (record: TopicRecord) => ({
    errorCode: ErrorCode.NONE,
    name: record.name,
    topicId: record.topicId,
    isInternal: false,
    partitions: Array.from({ length: record.partitions }, (_, partitionIndex) => {
      const leaderId = cluster.leaderOf(record.name, partitionIndex);
      const replicas = leaderId >= 0 ? [leaderId] : [];
      return {
        errorCode: leaderId >= 0 ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE,
        partitionIndex,
        leaderId,
        leaderEpoch: cluster.leaderEpochOf(record.name, partitionIndex),
        replicaNodes: replicas,
        isrNodes: replicas,
        offlineReplicas: [],
      };
    }),
    topicAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
  });

  const failed = (name: string | null, topicId: string | undefined, errorCode: number) => ({
    errorCode, name, topicId: topicIdOrZero(topicId), isInternal: false, partitions: [], topicAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
  });

  const lookup = async (wanted: MetadataRequestTopic, allowAuto: boolean, ctx: RequestContext) => {
    if (wanted.name === null || wanted.name === undefined) {
      const byId = wanted.topicId ? topics.getById(wanted.topicId) : undefined;
      return byId ? describe(byId) : failed(null, wanted.topicId, ErrorCode.UNKNOWN_TOPIC_ID);
    }
    const existing = topics.get(wanted.name);
    if (existing) return describe(existing);
    if (!allowAuto || !config.topics.autoCreate) return failed(wanted.name, undefined, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    try {
      return describe(await topics.create({ name: wanted.name, partitions: config.topics.defaultPartitions }));
    } catch (err) {
      const raced = topics.get(wanted.name);
      if (isDomainError(err, 'topic-exists') && raced) return describe(raced);
      return failed(wanted.name, undefined, errorCodeFor(err, { api: 'Metadata', topic: wanted.name, remote: ctx.connection.remote }));
    }
  };

  /** KIP-430: asked for, the fields carry every supported operation (no authorizer, authorized-operations.ts). */
  const respond = (topicsOut: Body[], request?: MetadataRequest) => {
    if (request?.includeTopicAuthorizedOperations) {
      for (const t of topicsOut) t.topicAuthorizedOperations = authorizedOperations('topic', true);
    }
    return {
      throttleTimeMs: 0,
      brokers: cluster.brokers().map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
      clusterId: cluster.clusterId,
      controllerId: cluster.controllerId(),
      topics: topicsOut,
      clusterAuthorizedOperations: authorizedOperations('cluster', request?.includeClusterAuthorizedOperations),
    };
  };

  return {
    apiKey: 3,
    minVersion: 0,
    maxVersion: 12,
    async handle(request: MetadataRequest, ctx) {
      // v0: an empty list means every topic; v1+: null means every topic and [] means none.
      const all = request.topics === null || (ctx.apiVersion === 0 && request.topics.length === 0);
      if (all) return respond(topics.list().map(describe), request);
      const allowAuto = ctx.apiVersion < 4 || request.allowAutoTopicCreation !== false;
      return respond(await Promise.all(request.topics!.map((t) => lookup(t, allowAuto, ctx))), request);
    },
    errorResponse: (request: { topics: MetadataRequestTopic[] | null }, errorCode) =>
      respond((request.topics ?? []).map((t) => failed(t.name, t.topicId ?? ZERO_UUID, errorCode))),
  };
}
