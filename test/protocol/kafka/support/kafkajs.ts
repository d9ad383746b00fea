/**
 * Access to kafkajs 2.2.4's own protocol encoders and decoders (node_modules/kafkajs/src/protocol),
 * and the request parameters used to drive them: one parameter object per API, a superset of
 * what every version's encoder reads.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

type KafkajsRequest = { apiKey: number; apiVersion: number; encode(): Promise<{ buffer: Buffer }> };
type KafkajsResponse = { decode(raw: Buffer): Promise<unknown> };

const requestsDir = join(dirname(require.resolve('kafkajs/package.json')), 'src/protocol/requests');

/** Versions kafkajs implements for an API (its folder name under requests/). */
export function kafkajsVersions(folder: string): number[] {
  const dir = join(requestsDir, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((d) => /^v\d+$/.test(d)).map((d) => Number(d.slice(1))).sort((a, b) => a - b);
}

export function kafkajsRequest(folder: string, version: number, params: unknown): KafkajsRequest {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const build = require(join(requestsDir, folder, `v${version}`, 'request')) as (p: unknown) => KafkajsRequest;
  return build(params);
}

export function kafkajsResponse(folder: string, version: number): KafkajsResponse {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(requestsDir, folder, `v${version}`, 'response')) as KafkajsResponse;
}

const messages = [
  { key: 'k1', value: 'v1', headers: { h: 'x' } },
  { key: null, value: 'v2' },
];

/** kafkajs folder name and request parameters per described API name. */
export const KAFKAJS_PARAMS: Record<string, { folder: string; params: unknown }> = {
  ApiVersions: { folder: 'apiVersions', params: {} },
  Metadata: { folder: 'metadata', params: { topics: ['orders', 'payments'], allowAutoTopicCreation: false } },
  Produce: {
    folder: 'produce',
    params: {
      acks: -1, timeout: 30000, transactionalId: null,
      topicData: [{ topic: 'orders', partitions: [{ partition: 0, firstSequence: 0, messages }, { partition: 3, messages }] }],
    },
  },
  Fetch: {
    folder: 'fetch',
    params: {
      replicaId: -1, maxWaitTime: 5000, minBytes: 1, maxBytes: 10485760, isolationLevel: 1, sessionId: 0, sessionEpoch: -1,
      rackId: 'rack-a',
      topics: [{ topic: 'orders', partitions: [{ partition: 0, fetchOffset: '42', maxBytes: 1048576 }, { partition: 1, fetchOffset: '7', maxBytes: 100 }] }],
    },
  },
  ListOffsets: {
    folder: 'listOffsets',
    params: { replicaId: -1, isolationLevel: 1, topics: [{ topic: 'orders', partitions: [{ partition: 0, timestamp: -1 }, { partition: 2, timestamp: 1700000000000 }] }] },
  },
  CreateTopics: {
    folder: 'createTopics',
    params: {
      timeout: 5000, validateOnly: false,
      topics: [
        { topic: 'orders', numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] },
        { topic: 'manual', replicaAssignment: [{ partition: 0, replicas: [1, 2] }] },
      ],
    },
  },
  DeleteTopics: { folder: 'deleteTopics', params: { topics: ['orders', 'payments'], timeout: 5000 } },
  CreatePartitions: {
    folder: 'createPartitions',
    params: { timeout: 5000, validateOnly: true, topicPartitions: [{ topic: 'orders', count: 6 }, { topic: 'x', count: 2, assignments: [[1], [2]] }] },
  },
  DescribeConfigs: {
    folder: 'describeConfigs',
    params: { includeSynonyms: true, resources: [{ type: 2, name: 'orders', configNames: ['retention.ms'] }, { type: 4, name: '1' }] },
  },
  AlterConfigs: {
    folder: 'alterConfigs',
    params: { validateOnly: false, resources: [{ type: 2, name: 'orders', configEntries: [{ name: 'retention.ms', value: '1000' }] }] },
  },
  FindCoordinator: { folder: 'findCoordinator', params: { groupId: 'g1', coordinatorKey: 'g1', coordinatorType: 0 } },
  JoinGroup: {
    folder: 'joinGroup',
    params: {
      groupId: 'g1', sessionTimeout: 30000, rebalanceTimeout: 60000, memberId: '', groupInstanceId: null, protocolType: 'consumer',
      groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1, 0, 0, 0, 0]) }],
    },
  },
  SyncGroup: {
    folder: 'syncGroup',
    params: { groupId: 'g1', generationId: 3, memberId: 'm-1', groupAssignment: [{ memberId: 'm-1', memberAssignment: Buffer.from([9, 9]) }] },
  },
  Heartbeat: { folder: 'heartbeat', params: { groupId: 'g1', groupGenerationId: 3, memberId: 'm-1' } },
  LeaveGroup: { folder: 'leaveGroup', params: { groupId: 'g1', memberId: 'm-1', members: [{ memberId: 'm-1' }, { memberId: 'm-2', groupInstanceId: 'i-2' }] } },
  OffsetCommit: {
    folder: 'offsetCommit',
    params: {
      groupId: 'g1', groupGenerationId: 3, memberId: 'm-1', retentionTime: -1,
      topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '15', timestamp: 1700000000000, metadata: null }, { partition: 1, offset: '-2', metadata: 'm' }] }],
    },
  },
  OffsetFetch: { folder: 'offsetFetch', params: { groupId: 'g1', topics: [{ topic: 'orders', partitions: [{ partition: 0 }, { partition: 5 }] }] } },
  DescribeGroups: { folder: 'describeGroups', params: { groupIds: ['g1', 'g2'] } },
  ListGroups: { folder: 'listGroups', params: {} },
  DeleteGroups: { folder: 'deleteGroups', params: ['g1', 'g2'] },
  InitProducerId: { folder: 'initProducerId', params: { transactionalId: null, transactionTimeout: 60000 } },
};
