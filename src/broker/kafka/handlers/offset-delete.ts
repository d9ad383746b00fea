/**
 * OffsetDelete (47, KIP-496): deletes committed offsets of partitions a group no longer
 * consumes. A group still subscribed to a topic keeps its offsets (GROUP_SUBSCRIBED_TO_TOPIC).
 */
import type { KafkaHandler } from '../handler';
import type { TopicPartition } from '../../groups/group-api';
import type { GroupServices } from '../../groups/group-services';
import { GroupErrorCode, groupErrorCode } from './group-error-codes';

interface OffsetDeleteRequest {
  groupId: string;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number }> }>;
}

export function offsetDeleteHandler(groups: GroupServices): KafkaHandler {
  const failed = (errorCode: number) => ({ errorCode, throttleTimeMs: 0, topics: [] });
  return {
    apiKey: 47,
    minVersion: 0,
    maxVersion: 0,
    async handle(request: OffsetDeleteRequest) {
      if (!groups.coordinates(request.groupId)) return failed(GroupErrorCode.NOT_COORDINATOR);
      const known: TopicPartition[] = [];
      for (const t of request.topics) {
        for (const p of t.partitions) if (groups.partitionExists(t.name, p.partitionIndex)) known.push({ topic: t.name, partition: p.partitionIndex });
      }
      const result = await groups.coordinator.deleteOffsets(request.groupId, known);
      if (result.error) return failed(groupErrorCode(result.error));
      const errors = new Map(result.partitions.map((p) => [`${p.topic}\u0000${p.partition}`, p.error]));
      return {
        errorCode: 0,
        throttleTimeMs: 0,
        topics: request.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => {
            const key = `${t.name}\u0000${p.partitionIndex}`;
            return { partitionIndex: p.partitionIndex, errorCode: errors.has(key) ? groupErrorCode(errors.get(key) ?? null) : GroupErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
          }),
        })),
      };
    },
    errorResponse: (_request: OffsetDeleteRequest, errorCode) => failed(errorCode),
  };
}
