/**
 * CreatePartitions (37), on the controller: raises a topic's partition count. Manual
 * assignments must name one live broker per new partition.
 */
import type { KafkaHandler, RequestContext } from '../handler';
import type { BrokerServices } from '../../services';
import { DomainError } from '../../errors';
import { ErrorCode } from '../error-codes';
import { errorCodeFor, errorMessageFor } from '../error-mapping';

interface CreatePartitionsTopic {
  name: string;
  count: number;
  assignments: Array<{ brokerIds: number[] }> | null;
}

interface CreatePartitionsRequest {
  topics: CreatePartitionsTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

export function createPartitionsHandler(services: BrokerServices): KafkaHandler {
  const { topics, cluster } = services;

  const growOne = async (t: CreatePartitionsTopic, validateOnly: boolean, ctx: RequestContext) => {
    try {
      if (cluster.controllerId() !== cluster.self.nodeId) {
        return { name: t.name, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'not the controller' };
      }
      const live = new Set(cluster.brokers().map((b) => b.nodeId));
      if (t.assignments && t.assignments.some((a) => a.brokerIds.length !== 1 || !live.has(a.brokerIds[0]))) {
        throw new DomainError('invalid-request', 'assignments need exactly one live broker per new partition');
      }
      await topics.addPartitions(t.name, t.count, validateOnly);
      return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null };
    } catch (err) {
      return { name: t.name, errorCode: errorCodeFor(err, { api: 'CreatePartitions', topic: t.name, remote: ctx.connection.remote }), errorMessage: errorMessageFor(err) };
    }
  };

  return {
    apiKey: 37,
    minVersion: 0,
    maxVersion: 3,
    async handle(request: CreatePartitionsRequest, ctx) {
      return { throttleTimeMs: 0, results: await Promise.all(request.topics.map((t) => growOne(t, request.validateOnly, ctx))) };
    },
    errorResponse: (request: CreatePartitionsRequest, errorCode) => ({
      throttleTimeMs: 0,
      results: request.topics.map((t) => ({ name: t.name, errorCode, errorMessage: null })),
    }),
  };
}
