/**
 * ListOffsets (2): -1 latest (the high watermark, also the LSO since no transaction is open),
 * -2 earliest and -4 earliest local (the log start offset), ts >= 0 the first offset whose batch
 * has a timestamp >= ts (-1 when none). -3 (max timestamp, KIP-734) needs a per-record scan the
 * broker never does on stored batches, so it is refused per partition.
 */
import type { KafkaHandler, RequestContext } from '../handler';
import type { BrokerServices } from '../../services';
import { DomainError } from '../../errors';
import { ErrorCode } from '../error-codes';
import { errorCodeFor } from '../error-mapping';

const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;
const EARLIEST_LOCAL = -4n;

interface ListOffsetsPartition {
  partitionIndex: number;
  timestamp: bigint;
}

interface ListOffsetsRequest {
  topics: Array<{ name: string; partitions: ListOffsetsPartition[] }>;
}

function answer(partitionIndex: number, errorCode: number, timestamp = -1n, offset = -1n) {
  return { partitionIndex, errorCode, oldStyleOffsets: [], timestamp, offset, leaderEpoch: errorCode === ErrorCode.NONE ? 0 : -1 };
}

export function listOffsetsHandler(services: BrokerServices): KafkaHandler {
  const { partitions, cluster } = services;

  const one = async (topic: string, p: ListOffsetsPartition, ctx: RequestContext) => {
    try {
      if (cluster.leaderOf(topic, p.partitionIndex) !== cluster.self.nodeId) {
        throw new DomainError('not-leader', `not the leader of ${topic}-${p.partitionIndex}`);
      }
      const partition = await partitions.get(topic, p.partitionIndex);
      if (p.timestamp === LATEST) return answer(p.partitionIndex, ErrorCode.NONE, -1n, partition.highWatermark());
      if (p.timestamp === EARLIEST || p.timestamp === EARLIEST_LOCAL) {
        return answer(p.partitionIndex, ErrorCode.NONE, -1n, partition.logStartOffset());
      }
      if (p.timestamp === MAX_TIMESTAMP || p.timestamp < 0n) {
        throw new DomainError('invalid-request', `timestamp ${p.timestamp} is not supported`);
      }
      const offset = await partition.offsetForTimestamp(p.timestamp);
      // The batch found has maxTimestamp >= ts; the requested ts is the lower bound we know.
      return offset === null ? answer(p.partitionIndex, ErrorCode.NONE) : answer(p.partitionIndex, ErrorCode.NONE, p.timestamp, offset);
    } catch (err) {
      return answer(p.partitionIndex, errorCodeFor(err, { api: 'ListOffsets', topic, partition: p.partitionIndex, remote: ctx.connection.remote }));
    }
  };

  return {
    apiKey: 2,
    minVersion: 1,
    maxVersion: 10,
    async handle(request: ListOffsetsRequest, ctx) {
      const topics = await Promise.all(request.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(t.partitions.map((p) => one(t.name, p, ctx))),
      })));
      return { throttleTimeMs: 0, topics };
    },
    errorResponse: (request: ListOffsetsRequest, errorCode) => ({
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => answer(p.partitionIndex, errorCode)) })),
    }),
  };
}
