/**
 * The request half of the group state machine: JoinGroup, SyncGroup, Heartbeat and LeaveGroup
 * validated against the group's state as Kafka's GroupCoordinator does (KIP-394 member ids,
 * KIP-345 static members), with the timed transitions delegated to the Rebalancer.
 */
import { randomUUID } from 'node:crypto';
import { GROUP_LIMITS } from '../../limits';
import type { Clock } from './clock';
import { Group, GroupMember } from './group';
import type {
  HeartbeatInput, JoinGroupInput, JoinGroupResult, LeaveGroupResult, LeavingMember, SyncGroupInput, SyncGroupResult,
} from './group-api';
import { GroupError, type GroupErrorKind } from './group-errors';
import { joinFailure, Rebalancer, RebalanceConfig, syncFailure } from './rebalance';

export interface MembershipConfig extends RebalanceConfig {
  sessionTimeoutMsMin: number;
  sessionTimeoutMsMax: number;
  membersPerGroupMax: number;
  pendingMembersPerGroupMax: number;
}

export const defaultMembershipConfig: MembershipConfig = {
  initialRebalanceDelayMs: GROUP_LIMITS.initialRebalanceDelayMsDefault,
  joinWaitMsMax: GROUP_LIMITS.joinWaitMsMax,
  sessionTimeoutMsMin: GROUP_LIMITS.sessionTimeoutMsMin,
  sessionTimeoutMsMax: GROUP_LIMITS.sessionTimeoutMsMax,
  membersPerGroupMax: GROUP_LIMITS.membersPerGroupMax,
  pendingMembersPerGroupMax: GROUP_LIMITS.pendingMembersPerGroupMax,
};

/** Where groups live; the coordinator owns the map and its limits. */
export interface GroupTable {
  get(groupId: string): Group | undefined;
  /** Creates an Empty group; throws a GroupError past the group limit. */
  create(groupId: string): Group;
  onEmpty(group: Group): void;
}

export class Membership {
  readonly rebalancer: Rebalancer;

  constructor(private readonly table: GroupTable, clock: Clock, private readonly config: MembershipConfig) {
    this.rebalancer = new Rebalancer(clock, config, { onEmpty: (group) => table.onEmpty(group) });
  }

  async join(input: JoinGroupInput): Promise<JoinGroupResult> {
    const { sessionTimeoutMs } = input;
    if (sessionTimeoutMs < this.config.sessionTimeoutMsMin || sessionTimeoutMs > this.config.sessionTimeoutMsMax) {
      return joinFailure('invalid-session-timeout', input.memberId);
    }
    let group = this.table.get(input.groupId);
    if (!group) {
      if (input.memberId !== '') return joinFailure('unknown-member-id', input.memberId);
      try {
        group = this.table.create(input.groupId);
      } catch (err) {
        if (err instanceof GroupError) return joinFailure(err.kind, input.memberId);
        throw err;
      }
    }
    if (group.is('Dead')) return joinFailure('coordinator-not-available', input.memberId);
    if (!group.supportsProtocols(input.protocolType, input.protocols)) {
      return joinFailure('inconsistent-group-protocol', input.memberId);
    }
    return input.memberId === '' ? this.joinNewMember(group, input) : this.joinKnownMember(group, input);
  }

  async sync(input: SyncGroupInput): Promise<SyncGroupResult> {
    const group = this.table.get(input.groupId);
    if (!group) return syncFailure('unknown-member-id');
    const error = this.checkMember(group, input.memberId, input.groupInstanceId, input.generationId);
    if (error) return syncFailure(error);
    if ((input.protocolType !== null && input.protocolType !== group.protocolType)
      || (input.protocolName !== null && input.protocolName !== group.protocolName)) {
      return syncFailure('inconsistent-group-protocol');
    }
    const member = group.members.get(input.memberId) as GroupMember;
    switch (group.state) {
      case 'PreparingRebalance':
        return syncFailure('rebalance-in-progress');
      case 'CompletingRebalance': {
        const parked = this.rebalancer.parkSync(group, member);
        if (group.isLeader(member.memberId)) this.rebalancer.completeSync(group, input.assignments);
        return parked;
      }
      case 'Stable':
        this.rebalancer.touchSession(group, member);
        return { error: null, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment };
      default:
        return syncFailure('unknown-member-id');
    }
  }

  heartbeat(input: HeartbeatInput): GroupErrorKind | null {
    const group = this.table.get(input.groupId);
    if (!group) return 'unknown-member-id';
    const error = this.checkMember(group, input.memberId, input.groupInstanceId, input.generationId);
    if (error) return error;
    const member = group.members.get(input.memberId) as GroupMember;
    this.rebalancer.touchSession(group, member);
    // Kafka: members learn a rebalance started from this answer, then rejoin.
    return group.is('PreparingRebalance') ? 'rebalance-in-progress' : null;
  }

  /** Batch leave (LeaveGroup v3+); v0-v2 pass one member. */
  leave(groupId: string, members: LeavingMember[]): LeaveGroupResult {
    const group = this.table.get(groupId);
    if (!group) return { error: null, members: members.map((m) => ({ ...m, error: 'unknown-member-id' })) };
    if (group.is('Dead')) return { error: 'coordinator-not-available', members: [] };
    return { error: null, members: members.map((m) => ({ ...m, error: this.leaveOne(group, m) })) };
  }

  /** Validates a committing member (OffsetCommit) and keeps its session alive. */
  checkCommitter(group: Group, memberId: string, groupInstanceId: string | null, generationId: number): GroupErrorKind | null {
    const error = this.checkMember(group, memberId, groupInstanceId, generationId);
    if (error) return error;
    this.rebalancer.touchSession(group, group.members.get(memberId) as GroupMember);
    return null;
  }

  /** Kafka validateCurrentMember plus the generation check shared by sync, heartbeat and commit. */
  private checkMember(group: Group, memberId: string, groupInstanceId: string | null, generationId: number):
    GroupErrorKind | null {
    if (group.is('Dead')) return 'coordinator-not-available';
    if (groupInstanceId !== null) {
      const owner = group.memberIdOfInstance(groupInstanceId);
      if (owner !== undefined && owner !== memberId) return 'fenced-instance-id';
    }
    if (!group.has(memberId)) return 'unknown-member-id';
    if (generationId !== group.generationId) return 'illegal-generation';
    return null;
  }

  private joinNewMember(group: Group, input: JoinGroupInput): Promise<JoinGroupResult> {
    if (group.members.size >= this.config.membersPerGroupMax) {
      return Promise.resolve(joinFailure('group-max-size-reached', input.memberId));
    }
    const memberId = `${input.clientId}-${randomUUID()}`;
    if (input.groupInstanceId !== null) return this.joinNewStaticMember(group, input, memberId);
    if (input.requireKnownMemberId) {
      if (group.pendingMembers.size >= this.config.pendingMembersPerGroupMax) {
        return Promise.resolve(joinFailure('group-max-size-reached', input.memberId));
      }
      // KIP-394: the id is remembered, the client rejoins with it at once.
      this.rebalancer.addPending(group, memberId, input.sessionTimeoutMs);
      return Promise.resolve(joinFailure('member-id-required', memberId));
    }
    return this.addMemberAndRebalance(group, input, memberId);
  }

  /** KIP-345: a known group.instance.id takes over its old member without a rebalance when nothing changed. */
  private joinNewStaticMember(group: Group, input: JoinGroupInput, memberId: string): Promise<JoinGroupResult> {
    const oldMemberId = group.memberIdOfInstance(input.groupInstanceId as string);
    if (oldMemberId === undefined) return this.addMemberAndRebalance(group, input, memberId);
    const old = group.members.get(oldMemberId) as GroupMember;
    old.awaitingJoin?.(joinFailure('fenced-instance-id', oldMemberId));
    old.awaitingJoin = null;
    old.awaitingSync?.(syncFailure('fenced-instance-id'));
    old.awaitingSync = null;
    const member = group.replaceMemberId(oldMemberId, memberId);
    if (group.is('Stable') && !group.isLeader(memberId) && member.sameProtocols(input.protocols)) {
      this.rebalancer.touchSession(group, member);
      return Promise.resolve(this.currentGeneration(group, member));
    }
    return this.updateMemberAndRebalance(group, member, input);
  }

  private joinKnownMember(group: Group, input: JoinGroupInput): Promise<JoinGroupResult> {
    const { memberId } = input;
    if (this.rebalancer.dropPending(group, memberId)) return this.addMemberAndRebalance(group, input, memberId);
    const member = group.members.get(memberId);
    if (!member) return Promise.resolve(joinFailure('unknown-member-id', memberId));
    if (input.groupInstanceId !== null && group.memberIdOfInstance(input.groupInstanceId) !== memberId) {
      return Promise.resolve(joinFailure('fenced-instance-id', memberId));
    }
    const unchanged = member.sameProtocols(input.protocols);
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, input);
      case 'CompletingRebalance':
        // A retried join of this generation gets the same answer again.
        return unchanged ? Promise.resolve(this.currentGeneration(group, member)) : this.updateMemberAndRebalance(group, member, input);
      case 'Stable':
        if (unchanged && !group.isLeader(memberId)) {
          this.rebalancer.touchSession(group, member);
          return Promise.resolve(this.currentGeneration(group, member));
        }
        return this.updateMemberAndRebalance(group, member, input);
      default:
        return Promise.resolve(joinFailure('unknown-member-id', memberId));
    }
  }

  private addMemberAndRebalance(group: Group, input: JoinGroupInput, memberId: string): Promise<JoinGroupResult> {
    const member = new GroupMember(memberId, input.groupInstanceId, input.clientId, input.clientHost,
      input.rebalanceTimeoutMs, input.sessionTimeoutMs, input.protocolType, input.protocols);
    group.add(member);
    const parked = this.rebalancer.parkJoin(member);
    this.rebalancer.noteJoin(group);
    this.rebalancer.maybePrepareRebalance(group, `member ${memberId} joined`);
    this.rebalancer.checkJoinComplete(group);
    return parked;
  }

  private updateMemberAndRebalance(group: Group, member: GroupMember, input: JoinGroupInput): Promise<JoinGroupResult> {
    member.protocols = input.protocols;
    member.rebalanceTimeoutMs = input.rebalanceTimeoutMs;
    member.sessionTimeoutMs = input.sessionTimeoutMs;
    const parked = this.rebalancer.parkJoin(member);
    this.rebalancer.maybePrepareRebalance(group, `member ${member.memberId} rejoined`);
    this.rebalancer.checkJoinComplete(group);
    return parked;
  }

  private currentGeneration(group: Group, member: GroupMember): JoinGroupResult {
    const protocolName = group.protocolName as string;
    const members = group.isLeader(member.memberId)
      ? [...group.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataFor(protocolName) }))
      : [];
    return {
      error: null, generationId: group.generationId, protocolType: group.protocolType, protocolName,
      leader: group.leaderId ?? '', memberId: member.memberId, members,
    };
  }

  private leaveOne(group: Group, leaving: LeavingMember): GroupErrorKind | null {
    let { memberId } = leaving;
    if (leaving.groupInstanceId !== null) {
      const owner = group.memberIdOfInstance(leaving.groupInstanceId);
      if (owner === undefined) return 'unknown-member-id';
      if (memberId !== '' && owner !== memberId) return 'fenced-instance-id';
      memberId = owner;
    }
    if (this.rebalancer.dropPending(group, memberId)) {
      this.rebalancer.checkJoinComplete(group);
      return null;
    }
    const member = group.members.get(memberId);
    if (!member) return 'unknown-member-id';
    this.rebalancer.removeMember(group, member, 'LeaveGroup');
    return null;
  }
}
