/**
 * InitProducerId (22) for idempotent producers: a fresh producer id (never reused, see
 * ProducerIdAllocator) with epoch 0. The v3+ producerId/epoch fields only matter for
 * transactional ids (KIP-360; platformatic sends 0/0 without one), so they are ignored.
 * Transactional ids get INVALID_REQUEST until transactions exist.
 */
import { componentLogger } from '../../../log';
import type { KafkaHandler } from '../handler';
import type { ProducerIdAllocator } from '../../producers/producer-id-allocator';
import { GroupErrorCode } from './group-error-codes';

const log = componentLogger('init-producer-id');

interface InitProducerIdRequest {
  transactionalId: string | null;
}

const respond = (errorCode: number, producerId = -1n, producerEpoch = -1) => ({ throttleTimeMs: 0, errorCode, producerId, producerEpoch });

export function initProducerIdHandler(allocator: ProducerIdAllocator): KafkaHandler {
  return {
    apiKey: 22,
    minVersion: 0,
    maxVersion: 5,
    async handle(request: InitProducerIdRequest, ctx) {
      if (request.transactionalId !== null && request.transactionalId !== undefined) {
        log.warn({ transactionalId: request.transactionalId, remote: ctx.connection.remote }, 'transactional producer refused: transactions are not supported yet');
        return respond(GroupErrorCode.INVALID_REQUEST);
      }
      try {
        return respond(GroupErrorCode.NONE, await allocator.allocate(), 0);
      } catch (err) {
        log.error({ err }, 'producer id allocation failed');
        return respond(GroupErrorCode.COORDINATOR_NOT_AVAILABLE);
      }
    },
    errorResponse: (_request: InitProducerIdRequest, errorCode) => respond(errorCode),
  };
}
