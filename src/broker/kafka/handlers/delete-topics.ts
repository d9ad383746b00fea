/**
 * DeleteTopics (20), on any broker: by name (v0-5 topicNames, v6 topics[].name) or by id
 * (v6 topics[].topicId). Each topic succeeds or fails on its own. The topic's key goes from the
 * MetadataStore; every broker, watching it, closes and removes the partitions it holds. In a
 * cluster the answer waits, up to timeoutMs, until the controller has removed the topic's
 * assignments (REQUEST_TIMED_OUT past it; see cluster/topic-admin-wait.ts), so a topic created
 * again under the same name starts with fresh assignments.
 */
import type { KafkaHandler, RequestContext } from '../handler';
import type { BrokerServices } from '../../services';
import { type TopicAdminWait, topicAdminWait } from '../../cluster/topic-admin-wait';
import { DomainError } from '../../errors';
import { ErrorCode } from '../error-codes';
import { ZERO_UUID } from '../topic-ids';
import { duplicatesIn, topicAdminError } from './topic-admin-error';

interface DeleteTopicsRequest {
  topics?: Array<{ name: string | null; topicId: string }>;
  topicNames?: string[];
  timeoutMs: number;
}

interface Wanted {
  name: string | null;
  topicId: string;
}

function wantedOf(request: DeleteTopicsRequest, version: number): Wanted[] {
  if (version >= 6) return request.topics ?? [];
  return (request.topicNames ?? []).map((name) => ({ name, topicId: ZERO_UUID }));
}

export function deleteTopicsHandler(services: BrokerServices): KafkaHandler {
  const { topics } = services;

  const deleteOne = async (w: Wanted, wait: TopicAdminWait, ctx: RequestContext) => {
    try {
      const name = w.name ?? topics.getById(w.topicId)?.name;
      if (name === undefined) throw new DomainError('unknown-topic-id', `no topic has id ${w.topicId}`);
      const record = await topics.delete(name, w.name === null ? w.topicId : undefined);
      if (!await wait.unassigned(name, record.partitions)) {
        const errorMessage = `topic ${name} was deleted but the controller had not released all its partitions within the request timeout; it will`;
        return { name, topicId: record.topicId, errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage };
      }
      return { name, topicId: record.topicId, errorCode: ErrorCode.NONE, errorMessage: null };
    } catch (err) {
      return { name: w.name, topicId: w.topicId, ...topicAdminError(err, { api: 'DeleteTopics', topic: w.name ?? w.topicId, remote: ctx.connection.remote }) };
    }
  };

  return {
    apiKey: 20,
    minVersion: 0,
    maxVersion: 6,
    async handle(request: DeleteTopicsRequest, ctx) {
      const wait = topicAdminWait(services, request.timeoutMs);
      const wanted = wantedOf(request, ctx.apiVersion);
      const duplicates = duplicatesIn(wanted.map((w) => w.name ?? w.topicId));
      const responses = await Promise.all(wanted.map((w) => (duplicates.has(w.name ?? w.topicId)
        ? { name: w.name, topicId: w.topicId, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `topic ${w.name ?? w.topicId} appears more than once in the request` }
        : deleteOne(w, wait, ctx))));
      return { throttleTimeMs: 0, responses };
    },
    errorResponse: (request: DeleteTopicsRequest, errorCode, ctx) => ({
      throttleTimeMs: 0,
      responses: wantedOf(request, ctx.apiVersion).map((w) => ({ name: w.name, topicId: w.topicId, errorCode, errorMessage: null })),
    }),
  };
}
