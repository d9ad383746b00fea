/** DescribeCluster (60): this cluster's id, controller and brokers, as Metadata shows them. */
import type { KafkaHandler } from '../handler';
import type { BrokerServices } from '../../services';
import { ErrorCode } from '../error-codes';

/** Kafka's "authorized operations not requested" sentinel (INT32_MIN). */
export const OPERATIONS_NOT_REQUESTED = -2147483648;

export function describeClusterHandler(services: BrokerServices): KafkaHandler {
  const respond = (errorCode: number, endpointType: number) => ({
    throttleTimeMs: 0,
    errorCode,
    errorMessage: null,
    endpointType,
    clusterId: services.cluster.clusterId,
    controllerId: services.cluster.controllerId(),
    brokers: services.cluster.brokers().map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
    clusterAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
  });
  return {
    apiKey: 60,
    minVersion: 0,
    maxVersion: 1,
    // Every broker here also acts as the controller, so both endpoint types get the same list.
    handle: async (request: { endpointType?: number }) => respond(ErrorCode.NONE, request.endpointType ?? 1),
    errorResponse: (request: { endpointType?: number }, errorCode) => respond(errorCode, request.endpointType ?? 1),
  };
}
