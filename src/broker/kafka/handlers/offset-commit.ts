/**
 * OffsetCommit (8): validated against the group, then written through to the metadata store
 * as one transaction before the answer. v1 has a per-partition timestamp and v2-v4 a retention
 * time, both ignored as in Kafka >= 2.1; v6+ carries the leader epoch, v7+ group.instance.id,
 * v9+ may name topics by id (KIP-848).
 */
import { GROUP_LIMITS } from '../../../limits';
import type { KafkaHandler } from '../handler';
import type { OffsetToCommit } from '../../groups/group-api';
import { GroupServices, topicNameOf } from '../../groups/group-services';
import { GroupErrorCode, groupErrorCode } from './group-error-codes';

interface CommitPartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch?: number;
  committedMetadata: string | null;
}

interface CommitTopic {
  name?: string | null;
  topicId?: string;
  partitions: CommitPartition[];
}

interface OffsetCommitRequest {
  groupId: string;
  generationId?: number;
  generationIdOrMemberEpoch?: number;
  memberId?: string;
  groupInstanceId?: string | null;
  topics: CommitTopic[];
}

function allFailed(request: OffsetCommitRequest, errorCode: number) {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({
      name: t.name ?? '', topicId: t.topicId, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    })),
  };
}

export function offsetCommitHandler(groups: GroupServices): KafkaHandler {
  return {
    apiKey: 8,
    minVersion: 0,
    maxVersion: 9,
    async handle(request: OffsetCommitRequest, ctx) {
      const count = request.topics.reduce((n, t) => n + t.partitions.length, 0);
      if (count > GROUP_LIMITS.offsetPartitionsPerRequestMax) return allFailed(request, GroupErrorCode.INVALID_REQUEST);
      if (!groups.coordinates(request.groupId)) return allFailed(request, GroupErrorCode.NOT_COORDINATOR);
      const offsets: OffsetToCommit[] = [];
      const unknownTopics = new Set<CommitTopic>();
      for (const topic of request.topics) {
        const name = topicNameOf(topic, groups);
        if (name === undefined) {
          unknownTopics.add(topic);
          continue;
        }
        for (const p of topic.partitions) {
          offsets.push({
            topic: name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch ?? -1, metadata: p.committedMetadata,
          });
        }
      }
      const results = await groups.coordinator.commitOffsets({
        groupId: request.groupId,
        generationId: ctx.apiVersion >= 1 ? request.generationIdOrMemberEpoch ?? request.generationId ?? -1 : -1,
        memberId: ctx.apiVersion >= 1 ? request.memberId ?? '' : '',
        groupInstanceId: ctx.apiVersion >= 7 ? request.groupInstanceId ?? null : null,
        offsets,
      });
      let next = 0;
      return {
        throttleTimeMs: 0,
        topics: request.topics.map((t) => ({
          name: t.name ?? '',
          topicId: t.topicId,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode: unknownTopics.has(t) ? GroupErrorCode.UNKNOWN_TOPIC_OR_PARTITION : groupErrorCode(results[next++].error),
          })),
        })),
      };
    },
    errorResponse: (request: OffsetCommitRequest, errorCode) => allFailed(request, errorCode),
  };
}
