/**
 * Produce (0): each partition's batch goes to its partition (validated, offset-assigned,
 * stored as sent); partitions fail independently with their own error code. acks=0 gets no
 * response at all; acks=1 and -1 are answered once every append is durable under its topic's
 * flush policy (one replica: the leader's durable append is the whole ISR).
 */
import { componentLogger } from '../../../log';
import type { KafkaHandler, RequestContext } from '../handler';
import type { BrokerServices } from '../../services';
import { ErrorCode } from '../error-codes';
import { errorCodeFor, errorMessageFor } from '../error-mapping';
import type { BatchOrigin } from '../../partitions/batch-inspector';
import type { AppendOutcome } from '../../partitions/partition';

const log = componentLogger('produce');

interface ProducePartitionData {
  index: number;
  records: Buffer | null;
}

interface ProduceTopicData {
  name: string;
  partitionData: ProducePartitionData[];
}

interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topicData: ProduceTopicData[];
}

type PartitionResponse = ReturnType<typeof partitionResponse>;

/** One shared origin per Produce version instead of an object per append. */
const ORIGINS: ReadonlyArray<Readonly<BatchOrigin>> = Array.from({ length: 12 }, (_, produceVersion) => Object.freeze({ produceVersion }));
const originOf = (produceVersion: number): BatchOrigin => ORIGINS[produceVersion] ?? { produceVersion };

function partitionResponse(index: number, errorCode: number, errorMessage: string | null = null) {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage };
}

export function produceHandler(services: BrokerServices): KafkaHandler {
  const { partitions, cluster } = services;

  const failed = (topic: string, data: ProducePartitionData, ctx: RequestContext, err: unknown): PartitionResponse => {
    const code = errorCodeFor(err, { api: 'Produce', topic, partition: data.index, remote: ctx.connection.remote });
    return partitionResponse(data.index, code, errorMessageFor(err));
  };

  /**
   * Not async: an open partition (every request after the first) is appended to at once, and
   * the response is one `then` on the append, without an async frame awaiting the partition
   * lookup and the append (two promise hops per request at 10k requests/s).
   */
  const appendOne = (topic: string, data: ProducePartitionData, ctx: RequestContext): Promise<PartitionResponse> => {
    let appended: Promise<AppendOutcome>;
    try {
      if (cluster.leaderOf(topic, data.index) !== cluster.self.nodeId) {
        return Promise.resolve(partitionResponse(data.index, ErrorCode.NOT_LEADER_OR_FOLLOWER));
      }
      const records = data.records;
      if (records === null || records.length === 0) {
        return Promise.resolve(partitionResponse(data.index, ErrorCode.CORRUPT_MESSAGE, 'empty record set'));
      }
      const origin = originOf(ctx.apiVersion);
      const open = partitions.openNow(topic, data.index);
      appended = open ? open.append(records, origin) : partitions.get(topic, data.index).then((p) => p.append(records, origin));
    } catch (err) {
      return Promise.resolve(failed(topic, data, ctx, err));
    }
    return appended.then((outcome) => ({
      index: data.index,
      errorCode: ErrorCode.NONE,
      baseOffset: outcome.baseOffset,
      logAppendTimeMs: outcome.logAppendTimeMs,
      logStartOffset: outcome.logStartOffset,
      recordErrors: [],
      errorMessage: null,
    }), (err: unknown) => failed(topic, data, ctx, err));
  };

  /**
   * Every partition appended concurrently. A request for one partition, what a producer with
   * linger 0 sends for each message, skips the Promise.all and closures per topic: at 10k
   * requests/s the produce handler was the broker's largest source of garbage (GC pauses).
   */
  const appendAll = (request: ProduceRequest, ctx: RequestContext): Promise<Array<{ name: string; partitionResponses: PartitionResponse[] }>> => {
    const topics = request.topicData;
    if (topics.length === 1 && topics[0].partitionData.length === 1) {
      const only = topics[0];
      return appendOne(only.name, only.partitionData[0], ctx).then((p) => [{ name: only.name, partitionResponses: [p] }]);
    }
    return Promise.all(topics.map(async (t) => ({
      name: t.name,
      partitionResponses: await Promise.all(t.partitionData.map((p) => appendOne(t.name, p, ctx))),
    })));
  };

  const answer = (responses: Array<{ name: string; partitionResponses: PartitionResponse[] }>) => ({ responses, throttleTimeMs: 0 });

  const respond = (request: ProduceRequest, code: (topic: string, p: ProducePartitionData) => number) => ({
    responses: request.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => partitionResponse(p.index, code(t.name, p))),
    })),
    throttleTimeMs: 0,
  });

  return {
    apiKey: 0,
    minVersion: 3,
    maxVersion: 11,
    // Not async: the reply is one `then` on the appends, not an async frame awaiting them as well.
    handle(request: ProduceRequest, ctx) {
      if (request.acks !== 0 && request.acks !== 1 && request.acks !== -1) {
        return Promise.resolve(respond(request, () => ErrorCode.INVALID_REQUIRED_ACKS));
      }
      const appends = appendAll(request, ctx);
      if (request.acks === 0) {
        // No response is sent; failures can only be logged (the client asked not to know).
        void appends.then((topics) => {
          for (const t of topics) for (const p of t.partitionResponses) {
            if (p.errorCode !== ErrorCode.NONE) log.debug({ topic: t.name, partition: p.index, errorCode: p.errorCode }, 'acks=0 produce failed');
          }
        });
        return Promise.resolve(null);
      }
      return appends.then(answer);
    },
    errorResponse: (request: ProduceRequest, errorCode) => (request.acks === 0 ? null : respond(request, () => errorCode)),
  };
}
