/**
 * Outcomes of group operations that are not success. Domain code returns or throws these kinds;
 * the Kafka handlers map each to its wire code in one table (kafka/handlers/group-error-codes.ts).
 */
export type GroupErrorKind =
  | 'unknown-member-id'
  | 'illegal-generation'
  | 'rebalance-in-progress'
  | 'member-id-required'
  | 'inconsistent-group-protocol'
  | 'invalid-session-timeout'
  | 'invalid-group-id'
  | 'group-id-not-found'
  | 'non-empty-group'
  | 'coordinator-not-available'
  | 'not-coordinator'
  | 'group-max-size-reached'
  | 'fenced-instance-id'
  | 'unknown-topic-or-partition'
  | 'offset-metadata-too-large'
  | 'group-subscribed-to-topic'
  | 'invalid-request';

export class GroupError extends Error {
  constructor(readonly kind: GroupErrorKind, message: string) {
    super(message);
    this.name = 'GroupError';
  }
}

export function isGroupError(err: unknown, kind?: GroupErrorKind): err is GroupError {
  return err instanceof GroupError && (kind === undefined || err.kind === kind);
}
