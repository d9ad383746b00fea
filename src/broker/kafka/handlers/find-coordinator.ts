/**
 * FindCoordinator (10): the broker coordinating a group (key type 0). v0-v3 name one key, v4+
 * a batch (KIP-699). Transaction coordinators (key type 1) do not exist yet: those keys get
 * INVALID_REQUEST with a message saying so, not a retriable error clients would loop on.
 */
import type { KafkaHandler } from '../handler';
import type { GroupServices } from '../../groups/group-services';
import { GroupErrorCode } from './group-error-codes';

const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;

interface FindCoordinatorRequest {
  key?: string;
  keyType?: number;
  coordinatorKeys?: string[];
}

interface Answer {
  key: string;
  nodeId: number;
  host: string;
  port: number;
  errorCode: number;
  errorMessage: string | null;
}

function failed(key: string, errorCode: number, errorMessage: string | null): Answer {
  return { key, nodeId: -1, host: '', port: -1, errorCode, errorMessage };
}

export function findCoordinatorHandler(groups: GroupServices): KafkaHandler {
  const find = (key: string, keyType: number): Answer => {
    if (keyType === KEY_TYPE_TRANSACTION) {
      return failed(key, GroupErrorCode.INVALID_REQUEST, 'transactions are not supported by this broker yet');
    }
    if (keyType !== KEY_TYPE_GROUP) return failed(key, GroupErrorCode.INVALID_REQUEST, `unknown coordinator key type ${keyType}`);
    const node = groups.coordinatorNode(key);
    if (!node) return failed(key, GroupErrorCode.COORDINATOR_NOT_AVAILABLE, 'no live broker to coordinate the group');
    return { key, nodeId: node.nodeId, host: node.host, port: node.port, errorCode: GroupErrorCode.NONE, errorMessage: null };
  };
  const respond = (answers: Answer[], version: number) => {
    if (version >= 4) return { throttleTimeMs: 0, coordinators: answers };
    const [one] = answers;
    return { throttleTimeMs: 0, errorCode: one.errorCode, errorMessage: one.errorMessage, nodeId: one.nodeId, host: one.host, port: one.port };
  };
  const keysOf = (request: FindCoordinatorRequest, version: number) => (version >= 4 ? request.coordinatorKeys ?? [] : [request.key ?? '']);
  return {
    apiKey: 10,
    minVersion: 0,
    maxVersion: 6,
    async handle(request: FindCoordinatorRequest, ctx) {
      const keyType = ctx.apiVersion >= 1 ? request.keyType ?? KEY_TYPE_GROUP : KEY_TYPE_GROUP;
      return respond(keysOf(request, ctx.apiVersion).map((key) => find(key, keyType)), ctx.apiVersion);
    },
    errorResponse(request: FindCoordinatorRequest, errorCode, ctx) {
      return respond(keysOf(request, ctx.apiVersion).map((key) => failed(key, errorCode, null)), ctx.apiVersion);
    },
  };
}
