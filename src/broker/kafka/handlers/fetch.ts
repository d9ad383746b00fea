/**
 * Fetch (1), sessionless (session id 0): whole stored batches from the one containing each
 * fetch offset, with the high watermark, last stable offset (= HWM: no transactions are open)
 * and log start offset; long-polls on max_wait_ms/min_bytes, woken by appends. v13+ names
 * topics by id.
 */
import type { KafkaHandler, RequestContext } from '../handler';
import type { BrokerServices } from '../../services';
import { DomainError } from '../../errors';
import { fetchPartitions, FetchedPartition, FetchTarget } from '../../partitions/fetch-reader';
import { ErrorCode } from '../error-codes';
import { errorCodeFor } from '../error-mapping';

interface FetchPartition {
  partition: number;
  fetchOffset: bigint;
  partitionMaxBytes: number;
}

interface FetchTopic {
  topic?: string;
  topicId?: string;
  partitions: FetchPartition[];
}

interface FetchRequest {
  maxWaitMs: number;
  minBytes: number;
  maxBytes?: number;
  topics: FetchTopic[];
}

const NO_RECORDS: readonly Buffer[] = Object.freeze([]);

function partitionData(index: number, errorCode: number, r: FetchedPartition | null) {
  const highWatermark = r?.highWatermark ?? -1n;
  return {
    partitionIndex: index,
    errorCode,
    highWatermark,
    lastStableOffset: highWatermark,
    logStartOffset: r?.logStartOffset ?? -1n,
    abortedTransactions: [],
    preferredReadReplica: -1,
    // Never null: librdkafka fails to parse a null record set ("invalid MessageSetSize"). The stored
    // batches go out by reference (the writer keeps them as chunks of the reply, one writev), never joined.
    records: errorCode === ErrorCode.NONE && r ? r.chunks : NO_RECORDS,
  };
}

export function fetchHandler(services: BrokerServices): KafkaHandler {
  const { partitions, topics, cluster, config, shutdown } = services;

  const targetOf = (topic: FetchTopic, p: FetchPartition, ctx: RequestContext): FetchTarget => {
    const name = ctx.apiVersion >= 13 ? topics.getById(topic.topicId ?? '')?.name : topic.topic;
    let partition;
    if (name === undefined) {
      partition = Promise.reject(new DomainError(ctx.apiVersion >= 13 ? 'unknown-topic-id' : 'unknown-topic', 'unknown topic'));
    } else if (cluster.leaderOf(name, p.partition) !== cluster.self.nodeId) {
      partition = Promise.reject(new DomainError('not-leader', `not the leader of ${name}-${p.partition}`));
    } else {
      partition = partitions.get(name, p.partition);
    }
    partition.catch(() => undefined);
    return { partition, fetchOffset: p.fetchOffset, partitionMaxBytes: p.partitionMaxBytes };
  };

  const respond = (request: FetchRequest, partitionsOut: (t: FetchTopic, i: number) => unknown[]) => ({
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    sessionId: 0,
    responses: request.topics.map((t, i) => ({ topic: t.topic, topicId: t.topicId, partitions: partitionsOut(t, i) })),
  });

  return {
    apiKey: 1,
    minVersion: 4,
    maxVersion: 17,
    async handle(request: FetchRequest, ctx) {
      const targets = request.topics.flatMap((t) => t.partitions.map((p) => targetOf(t, p, ctx)));
      const results = await fetchPartitions(targets, {
        maxBytes: request.maxBytes ?? Number.MAX_SAFE_INTEGER,
        minBytes: request.minBytes,
        maxWaitMs: Math.max(0, Math.min(request.maxWaitMs, config.kafka.fetchWaitMsMax)),
        shutdown,
      });
      let next = 0;
      return respond(request, (t) => t.partitions.map((p) => {
        const r = results[next++];
        const code = r.error === null ? ErrorCode.NONE
          : errorCodeFor(r.error, { api: 'Fetch', topic: t.topic ?? t.topicId, partition: p.partition, remote: ctx.connection.remote });
        return partitionData(p.partition, code, r);
      }));
    },
    errorResponse: (request: FetchRequest, errorCode) =>
      respond(request, (t) => t.partitions.map((p) => partitionData(p.partition, errorCode, null))),
  };
}
