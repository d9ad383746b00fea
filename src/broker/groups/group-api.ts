/**
 * What the group coordinator is asked and answers, free of any wire codec: the Kafka handlers
 * map request versions onto these shapes and back.
 */
import type { GroupErrorKind } from './group-errors';
import type { GroupState, MemberProtocol } from './group';

export interface JoinGroupInput {
  groupId: string;
  /** "" for a member joining for the first time. */
  memberId: string;
  groupInstanceId: string | null;
  /** JoinGroup v4+ (KIP-394): a new dynamic member first gets MEMBER_ID_REQUIRED with its id. */
  requireKnownMemberId: boolean;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  /** JoinGroup v0 has none: the handler passes the session timeout, as Kafka does. */
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: MemberProtocol[];
}

export interface JoinedMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface JoinGroupResult {
  error: GroupErrorKind | null;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  /** Only the leader gets the members (with the chosen protocol's metadata). */
  members: JoinedMember[];
}

export interface SyncGroupInput {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** SyncGroup v5+: checked against the group's when present. */
  protocolType: string | null;
  protocolName: string | null;
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface SyncGroupResult {
  error: GroupErrorKind | null;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface HeartbeatInput {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeavingMember {
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeaveGroupResult {
  /** Whole-request error (e.g. not the coordinator). */
  error: GroupErrorKind | null;
  members: { memberId: string; groupInstanceId: string | null; error: GroupErrorKind | null }[];
}

export interface MemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  metadata: Buffer;
  assignment: Buffer;
}

export interface GroupDescription {
  groupId: string;
  error: GroupErrorKind | null;
  state: GroupState;
  protocolType: string;
  protocolName: string;
  members: MemberDescription[];
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
  state: GroupState;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface OffsetToCommit extends TopicPartition {
  offset: bigint;
  leaderEpoch: number;
  metadata: string | null;
}

export interface OffsetCommitInput {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  offsets: OffsetToCommit[];
}

export interface PartitionResult extends TopicPartition {
  error: GroupErrorKind | null;
}

export interface FetchedOffset extends TopicPartition {
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  error: GroupErrorKind | null;
}

export interface OffsetDeleteResult {
  error: GroupErrorKind | null;
  partitions: PartitionResult[];
}
