/**
 * Where @platformatic/kafka's createRequest arguments differ from the Kafka field names, or
 * where it writes fixed values for fields it does not expose, these adapters map a sample
 * message onto its arguments and pin the sample to those fixed values.
 */
type Sample = Record<string, unknown>;
type Items = Array<Record<string, unknown>>;

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

export interface Adapted {
  /** Arguments for createRequest. */
  readonly args: unknown[];
  /** False when platformatic builds part of the message itself (Produce builds its own batches). */
  readonly comparable: boolean;
}

type Adapter = (version: number, sample: Sample) => Adapted | null;

const forEachPartition = (topics: unknown, edit: (p: Record<string, unknown>) => void) => {
  for (const topic of (topics as Items) ?? []) for (const p of (topic.partitions as Items) ?? []) edit(p);
};

export const PLATFORMATIC_ADAPTERS: Record<string, Adapter> = {
  Produce: (_version, sample) => {
    const messages = [
      { topic: 'orders', partition: 0, key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1_700_000_000_000n },
      { topic: 'orders', partition: 1, value: Buffer.from('w'), timestamp: 1_700_000_000_001n },
    ];
    return { args: [sample.acks, sample.timeoutMs, messages, { transactionalId: sample.transactionalId }], comparable: false };
  },
  Fetch: (version, sample) => {
    sample.replicaId = -1;
    sample.clusterId = null;
    sample.replicaState = { replicaId: -1, replicaEpoch: -1n };
    forEachPartition(sample.topics, (p) => {
      p.logStartOffset = -1n;
      p.replicaDirectoryId = ZERO_UUID;
    });
    const topics = (sample.topics as Items).map((t) => (version < 13 ? { ...t, topicId: t.topic } : t));
    const forgotten = (sample.forgottenTopicsData as Items).map((t) => (version < 13 ? { ...t, topicId: t.topic } : t));
    return { args: [sample.maxWaitMs, sample.minBytes, sample.maxBytes, sample.isolationLevel, sample.sessionId, sample.sessionEpoch, topics, forgotten, sample.rackId], comparable: true };
  },
  ListOffsets: (_version, sample) => {
    forEachPartition(sample.topics, (p) => {
      p.maxNumOffsets = 1;
    });
    return { args: [sample.replicaId, sample.isolationLevel, sample.topics], comparable: true };
  },
  Metadata: (version, sample) => {
    if (version >= 10) for (const t of (sample.topics as Items | null) ?? []) t.topicId = ZERO_UUID;
    return null;
  },
  OffsetCommit: (version, sample) => {
    sample.retentionTimeMs = -1n;
    forEachPartition(sample.topics, (p) => {
      p.commitTimestamp = -1n;
    });
    if (version > 4) return null;
    return { args: [sample.groupId, sample.generationIdOrMemberEpoch, sample.memberId, sample.groupInstanceId, sample.topics], comparable: true };
  },
  OffsetFetch: (version, sample) => {
    if (version >= 8) return null;
    return { args: [[{ groupId: sample.groupId, topics: sample.topics }], sample.requireStable], comparable: true };
  },
  FindCoordinator: (version, sample) => (version >= 4 ? null : { args: [sample.keyType, [sample.key]], comparable: true }),
  LeaveGroup: (version, sample) => (version >= 3 ? null : { args: [sample.groupId, [{ memberId: sample.memberId }]], comparable: true }),
  DeleteTopics: (version, sample) => (version >= 6 ? null
    : { args: [(sample.topicNames as string[]).map((name) => ({ name })), sample.timeoutMs], comparable: true }),
  ListGroups: (_version, sample) => {
    sample.typesFilter = ['classic', 'consumer'];
    return null;
  },
};
