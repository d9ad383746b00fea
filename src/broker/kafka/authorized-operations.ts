/**
 * The authorized-operations bit fields of Metadata (v8+), DescribeCluster and DescribeGroups
 * (v3+) (KIP-430). Tributary has no authorizer, so, as Kafka without one
 * (AuthHelper.authorizedOperations), a client that asks gets every operation the resource type
 * supports (AclEntry.supportedOperations), one bit per AclOperation code; a client that does not
 * ask gets the schema's INT32_MIN.
 */

/** Kafka's "authorized operations not requested" sentinel (INT32_MIN, the schemas' default). */
export const OPERATIONS_NOT_REQUESTED = -2147483648;

/** AclOperation codes (org.apache.kafka.common.acl.AclOperation). */
const ACL_OPERATION = Object.freeze({
  READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12,
});

type Operation = keyof typeof ACL_OPERATION;

const bits = (operations: Operation[]) => operations.reduce((field, op) => field | (1 << ACL_OPERATION[op]), 0);

const SUPPORTED = Object.freeze({
  topic: bits(['READ', 'WRITE', 'CREATE', 'DESCRIBE', 'DELETE', 'ALTER', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS']),
  group: bits(['READ', 'DESCRIBE', 'DELETE']),
  cluster: bits(['CREATE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'IDEMPOTENT_WRITE', 'ALTER', 'DESCRIBE']),
});

export type AuthorizedResource = keyof typeof SUPPORTED;

/** The bit field for a resource of this type, or INT32_MIN when the request did not ask for it. */
export function authorizedOperations(resource: AuthorizedResource, requested: boolean | undefined): number {
  return requested === true ? SUPPORTED[resource] : OPERATIONS_NOT_REQUESTED;
}
