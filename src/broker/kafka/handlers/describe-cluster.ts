/**
 * DescribeCluster (60): this cluster's id, controller and brokers, as Metadata shows them.
 * Every broker here also acts as the controller, so both endpoint types (KIP-919: 1 broker,
 * 2 controller) get the same list; any other type is refused as Kafka does
 * (AuthHelper.computeDescribeClusterResponse: UNSUPPORTED_ENDPOINT_TYPE).
 */
import type { KafkaHandler } from '../handler';
import type { BrokerServices } from '../../services';
import { authorizedOperations, OPERATIONS_NOT_REQUESTED } from '../authorized-operations';
import { ErrorCode } from '../error-codes';

const ENDPOINT_TYPES = new Set([1, 2]);

interface DescribeClusterRequest {
  includeClusterAuthorizedOperations?: boolean;
  endpointType?: number;
}

export function describeClusterHandler(services: BrokerServices): KafkaHandler {
  const respond = (errorCode: number, request: DescribeClusterRequest, errorMessage: string | null = null) => ({
    throttleTimeMs: 0,
    errorCode,
    errorMessage,
    endpointType: request.endpointType ?? 1,
    clusterId: services.cluster.clusterId,
    controllerId: services.cluster.controllerId(),
    brokers: errorCode === ErrorCode.NONE ? services.cluster.brokers().map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack })) : [],
    clusterAuthorizedOperations: errorCode === ErrorCode.NONE
      ? authorizedOperations('cluster', request.includeClusterAuthorizedOperations) : OPERATIONS_NOT_REQUESTED,
  });
  return {
    apiKey: 60,
    minVersion: 0,
    maxVersion: 1,
    handle: async (request: DescribeClusterRequest) => (ENDPOINT_TYPES.has(request.endpointType ?? 1)
      ? respond(ErrorCode.NONE, request)
      : respond(ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, request, `unsupported endpoint type ${request.endpointType}`)),
    errorResponse: (request: DescribeClusterRequest, errorCode) => respond(errorCode, request),
  };
}
