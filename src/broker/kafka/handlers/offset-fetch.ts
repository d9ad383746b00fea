/**
 * OffsetFetch (9): committed offsets whatever the group's state; a partition without a commit
 * answers -1 with no error (kafkajs throws on any partition error here). v2+ may ask for all
 * topics (null) and has a top-level error; v8+ asks for several groups at once (KIP-709).
 */
import { GROUP_LIMITS } from '../../../limits';
import type { KafkaHandler } from '../handler';
import type { FetchedOffset, TopicPartition } from '../../groups/group-api';
import { GroupServices, topicNameOf } from '../../groups/group-services';
import { GroupErrorCode } from './group-error-codes';

interface FetchTopic {
  name?: string | null;
  topicId?: string;
  partitionIndexes: number[];
}

interface FetchGroup {
  groupId: string;
  topics: FetchTopic[] | null;
}

interface OffsetFetchRequest {
  groupId?: string;
  topics?: FetchTopic[] | null;
  groups?: FetchGroup[];
}

interface GroupAnswer {
  groupId: string;
  errorCode: number;
  topics: Array<{ name: string; topicId?: string; partitions: ReturnType<typeof partitionAnswer>[] }>;
}

function partitionAnswer(o: FetchedOffset, errorCode = 0) {
  return { partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode };
}

/** Offsets grouped by topic, in the order the request named them (or sorted, for "all"). */
function byTopic(offsets: FetchedOffset[], topicIds: Map<string, string | undefined>) {
  const topics = new Map<string, FetchedOffset[]>();
  for (const o of offsets) topics.set(o.topic, [...(topics.get(o.topic) ?? []), o]);
  return [...topics].map(([name, list]) => ({ name, topicId: topicIds.get(name), partitions: list.map((o) => partitionAnswer(o)) }));
}

export function offsetFetchHandler(groups: GroupServices): KafkaHandler {
  const fetchGroup = (groupId: string, topics: FetchTopic[] | null): GroupAnswer => {
    if (!groups.coordinates(groupId)) return { groupId, errorCode: GroupErrorCode.NOT_COORDINATOR, topics: [] };
    if (topics === null) return { groupId, errorCode: 0, topics: byTopic(groups.coordinator.fetchOffsets(groupId, null), new Map()) };
    const wanted: TopicPartition[] = [];
    const ids = new Map<string, string | undefined>();
    for (const t of topics) {
      const name = topicNameOf(t, groups) ?? t.name ?? '';
      ids.set(name, t.topicId);
      for (const partition of t.partitionIndexes) wanted.push({ topic: name, partition });
    }
    if (wanted.length > GROUP_LIMITS.offsetPartitionsPerRequestMax) return { groupId, errorCode: GroupErrorCode.INVALID_REQUEST, topics: [] };
    return { groupId, errorCode: 0, topics: byTopic(groups.coordinator.fetchOffsets(groupId, wanted), ids) };
  };

  const respond = (request: OffsetFetchRequest, version: number, answers: GroupAnswer[]) => {
    if (version >= 8) return { throttleTimeMs: 0, groups: answers };
    const [one] = answers;
    if (version >= 2) return { throttleTimeMs: 0, errorCode: one.errorCode, topics: one.topics };
    // v0-v1 have no top-level error: a group error goes on every requested partition.
    const topics = one.errorCode === 0 ? one.topics : (request.topics ?? []).map((t) => ({
      name: t.name ?? '', partitions: t.partitionIndexes.map((partition) => partitionAnswer({
        topic: t.name ?? '', partition, offset: -1n, leaderEpoch: -1, metadata: '', error: null,
      }, one.errorCode)),
    }));
    return { throttleTimeMs: 0, errorCode: one.errorCode, topics };
  };

  const groupsOf = (request: OffsetFetchRequest, version: number): FetchGroup[] => (version >= 8
    ? request.groups ?? []
    : [{ groupId: request.groupId ?? '', topics: version >= 2 ? request.topics ?? null : request.topics ?? [] }]);

  return {
    apiKey: 9,
    minVersion: 0,
    maxVersion: 9,
    async handle(request: OffsetFetchRequest, ctx) {
      const answers = groupsOf(request, ctx.apiVersion).map((g) => fetchGroup(g.groupId, g.topics));
      return respond(request, ctx.apiVersion, answers);
    },
    errorResponse(request: OffsetFetchRequest, errorCode, ctx) {
      return respond(request, ctx.apiVersion, groupsOf(request, ctx.apiVersion).map((g) => ({ groupId: g.groupId, errorCode, topics: [] })));
    },
  };
}
