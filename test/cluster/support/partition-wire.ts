/**
 * Fetch and ListOffsets sent through the codec to one chosen broker (not the leader a client
 * would pick), to see exactly what that broker answers for a partition.
 */
import type { BrokerCluster } from './broker-cluster';
import { sleep } from './broker-cluster';
import { topicOn, wireTo } from './admin-wire';

export interface FetchAnswer {
  errorCode: number;
  highWatermark: bigint;
  /** Bytes of record batches returned. */
  recordBytes: number;
}

/** Fetch v11 (topic names) of one partition from `offset`, answered at once (maxWaitMs 0). */
export function fetchFrom(cluster: BrokerCluster, brokerId: number, topic: string, partition: number, offset: bigint): Promise<FetchAnswer> {
  return wireTo(cluster, brokerId, async (client) => {
    const response = await client.request(1, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [], rackId: '',
    });
    const p = response.responses[0].partitions[0] as { errorCode: number; highWatermark: bigint; records: Buffer | Buffer[] | null };
    const records = p.records === null ? 0 : Array.isArray(p.records) ? p.records.reduce((n, b) => n + b.length, 0) : p.records.length;
    return { errorCode: p.errorCode, highWatermark: p.highWatermark, recordBytes: records };
  });
}

/** ListOffsets v5 of one partition at `timestamp` (-1 latest, -2 earliest): its error code and offset. */
export function listOffsetsFrom(cluster: BrokerCluster, brokerId: number, topic: string, partition: number,
  timestamp: bigint): Promise<{ errorCode: number; offset: bigint }> {
  return wireTo(cluster, brokerId, async (client) => {
    const response = await client.request(2, 5, {
      replicaId: -1, isolationLevel: 0,
      topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp }] }],
    });
    const p = response.topics[0].partitions[0] as { errorCode: number; offset: bigint };
    return { errorCode: p.errorCode, offset: p.offset };
  });
}

/**
 * Polls until the partition's leader (as broker `askId` reports it, never `exceptId`) answers a
 * Fetch from offset 0 with records; resolves with the time that happened (Date.now()).
 */
export async function untilFetchServed(cluster: BrokerCluster, askId: number, exceptId: number, topic: string, partition: number,
  timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const leader = await topicOn(cluster, askId, topic).then((view) => view.leaders[partition] ?? -1, () => -1);
    if (leader >= 0 && leader !== exceptId) {
      const answer = await fetchFrom(cluster, leader, topic, partition, 0n).catch(() => null);
      if (answer?.errorCode === 0 && answer.recordBytes > 0) return Date.now();
    }
    if (Date.now() > deadline) throw new Error(`${topic}-${partition} was not served to Fetch within ${timeoutMs} ms`);
    await sleep(50);
  }
}
