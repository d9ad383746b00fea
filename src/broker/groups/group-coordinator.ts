/**
 * The group coordinator of one broker: the groups it coordinates, their membership state
 * machine (membership.ts, rebalance.ts) and their committed offsets (offset-store.ts). Handlers
 * call it with codec-free inputs; every answer carries GroupErrorKinds the handlers map.
 */
import { GROUP_LIMITS } from '../../limits';
import { componentLogger } from '../../log';
import { type Clock, systemClock, type Timer } from './clock';
import { CONSUMER_PROTOCOL_TYPE, groupSubscribesTo } from './consumer-subscription';
import { Group } from './group';
import type {
  FetchedOffset, GroupDescription, GroupListing, HeartbeatInput, JoinGroupInput, JoinGroupResult, LeaveGroupResult,
  LeavingMember, OffsetCommitInput, OffsetDeleteResult, PartitionResult, SyncGroupInput, SyncGroupResult, TopicPartition,
} from './group-api';
import { GroupError, type GroupErrorKind } from './group-errors';
import { defaultMembershipConfig, Membership, MembershipConfig } from './membership';
import type { OffsetStore } from './offset-store';
import { joinFailure, syncFailure } from './rebalance';

const log = componentLogger('group-coordinator');

export interface GroupCoordinatorOptions {
  clock?: Clock;
  membership?: Partial<MembershipConfig>;
  groupsMax?: number;
  /** Whether a topic partition exists (OffsetCommit answers UNKNOWN_TOPIC_OR_PARTITION otherwise). */
  partitionExists?: (topic: string, partition: number) => boolean;
  /** Whether this broker coordinates a group (cluster mode): ListGroups names only those, as Kafka's does. */
  coordinates?: (groupId: string) => boolean;
}

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly forgetTimers = new Map<string, Timer>();
  private readonly membership: Membership;
  private readonly clock: Clock;
  private readonly groupsMax: number;
  private readonly partitionExists: (topic: string, partition: number) => boolean;
  private readonly coordinates: (groupId: string) => boolean;

  constructor(private readonly offsets: OffsetStore, options: GroupCoordinatorOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.groupsMax = options.groupsMax ?? GROUP_LIMITS.groupsMax;
    this.partitionExists = options.partitionExists ?? (() => true);
    this.coordinates = options.coordinates ?? (() => true);
    const config = { ...defaultMembershipConfig, ...options.membership };
    this.membership = new Membership({
      get: (groupId) => this.lookup(groupId),
      create: (groupId) => this.createGroup(groupId),
      onEmpty: (group) => this.forgetIfUnused(group),
    }, this.clock, config);
  }

  join(input: JoinGroupInput): Promise<JoinGroupResult> {
    const invalid = checkGroupId(input.groupId, false);
    if (invalid) return Promise.resolve(joinFailure(invalid, input.memberId));
    // In a cluster a group is served only under this broker's claim (coordinator-fence.ts).
    if (this.offsets.claimed(input.groupId)) return this.membership.join(input);
    return this.claim(input.groupId).then((error) => (error ? joinFailure(error, input.memberId) : this.membership.join(input)));
  }

  sync(input: SyncGroupInput): Promise<SyncGroupResult> {
    const invalid = checkGroupId(input.groupId, false);
    return invalid ? Promise.resolve(syncFailure(invalid)) : this.membership.sync(input);
  }

  heartbeat(input: HeartbeatInput): GroupErrorKind | null {
    return checkGroupId(input.groupId, false) ?? this.membership.heartbeat(input);
  }

  leave(groupId: string, members: LeavingMember[]): LeaveGroupResult {
    const invalid = checkGroupId(groupId, false);
    return invalid ? { error: invalid, members: [] } : this.membership.leave(groupId, members);
  }

  /** Kafka handleCommitOffsets: validated against the group, then written through before answering. */
  async commitOffsets(input: OffsetCommitInput): Promise<PartitionResult[]> {
    const failAll = (error: GroupErrorKind) => input.offsets.map(({ topic, partition }) => ({ topic, partition, error }));
    const groupError = checkGroupId(input.groupId, true) ?? this.checkCommit(input);
    if (groupError) return failAll(groupError);
    const results: PartitionResult[] = [];
    const writes = [];
    const nowMs = this.clock.nowMs();
    for (const o of input.offsets) {
      const metadata = o.metadata ?? '';
      let error: GroupErrorKind | null = null;
      if (!this.partitionExists(o.topic, o.partition)) error = 'unknown-topic-or-partition';
      else if (Buffer.byteLength(metadata) > GROUP_LIMITS.offsetMetadataBytesMax) error = 'offset-metadata-too-large';
      else writes.push({ topic: o.topic, partition: o.partition, offset: o.offset, leaderEpoch: o.leaderEpoch, metadata, commitTimestampMs: nowMs });
      results.push({ topic: o.topic, partition: o.partition, error });
    }
    if (writes.length === 0) return results;
    if (!this.lookup(input.groupId)) {
      try {
        this.createGroup(input.groupId);
      } catch (err) {
        if (!(err instanceof GroupError)) throw err;
        return results.map((r) => (r.error ? r : { ...r, error: err.kind }));
      }
    }
    try {
      await this.offsets.commit(input.groupId, writes);
    } catch (err) {
      const error = this.writeFailure(input.groupId, err, 'offset commit failed');
      return results.map((r) => (r.error ? r : { ...r, error }));
    }
    return results;
  }

  /** Offsets regardless of group state; a partition without a commit gets -1 and no error (kafkajs throws on any). */
  fetchOffsets(groupId: string, partitions: TopicPartition[] | null): FetchedOffset[] {
    if (partitions === null) {
      return this.offsets.all(groupId).map((o) => ({
        topic: o.topic, partition: o.partition, offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, error: null,
      }));
    }
    return partitions.map(({ topic, partition }) => {
      const found = this.offsets.get(groupId, topic, partition);
      return {
        topic, partition, offset: found?.offset ?? -1n, leaderEpoch: found?.leaderEpoch ?? -1, metadata: found?.metadata ?? '', error: null,
      };
    });
  }

  describe(groupIds: string[]): GroupDescription[] {
    return groupIds.map((groupId) => {
      const group = this.lookup(groupId);
      if (!group) {
        return { groupId, error: 'group-id-not-found', state: 'Dead', protocolType: '', protocolName: '', members: [] };
      }
      // Kafka GroupMetadata.summary: protocol, metadata and assignments only once Stable.
      const stable = group.is('Stable');
      const protocolName = stable ? group.protocolName ?? '' : '';
      return {
        groupId, error: null, state: group.state, protocolType: group.protocolType ?? '', protocolName,
        members: [...group.members.values()].map((m) => ({
          memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
          metadata: stable ? m.metadataFor(protocolName) : Buffer.alloc(0), assignment: stable ? m.assignment : Buffer.alloc(0),
        })),
      };
    });
  }

  /** The groups this broker coordinates (every broker sees every group's offsets in the shared store). */
  list(): GroupListing[] {
    for (const groupId of this.offsets.groupIds()) if (this.coordinates(groupId)) this.lookup(groupId);
    return [...this.groups.values()].filter((g) => this.coordinates(g.groupId))
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state }));
  }

  async deleteGroups(groupIds: string[]): Promise<{ groupId: string; error: GroupErrorKind | null }[]> {
    return Promise.all(groupIds.map(async (groupId) => ({ groupId, error: await this.deleteGroup(groupId) })));
  }

  /** Kafka handleDeleteOffsets: a group still consuming a topic keeps that topic's offsets. */
  async deleteOffsets(groupId: string, partitions: TopicPartition[]): Promise<OffsetDeleteResult> {
    const group = this.lookup(groupId);
    if (!group || group.is('Dead')) return { error: 'group-id-not-found', partitions: [] };
    if (!group.is('Empty') && group.protocolType !== CONSUMER_PROTOCOL_TYPE) return { error: 'non-empty-group', partitions: [] };
    const results = partitions.map(({ topic, partition }) => ({
      topic, partition, error: (!group.is('Empty') && groupSubscribesTo(group, topic) ? 'group-subscribed-to-topic' : null) as GroupErrorKind | null,
    }));
    try {
      await this.offsets.delete(groupId, results.filter((r) => r.error === null));
    } catch (err) {
      return { error: this.writeFailure(groupId, err, 'offset delete failed'), partitions: [] };
    }
    this.forgetIfUnused(group);
    return { error: null, partitions: results };
  }

  /**
   * This broker no longer coordinates the group (another broker claimed it, or this broker's view
   * moved it): its members, generation, pending members and timers go, and parked JoinGroup and
   * SyncGroup calls answer NOT_COORDINATOR so members find the coordinator again (as Kafka
   * unloads a group whose __consumer_offsets partition it no longer leads). Offsets stay in the store.
   */
  drop(groupId: string): void {
    const group = this.groups.get(groupId);
    this.forgetTimers.get(groupId)?.cancel();
    this.forgetTimers.delete(groupId);
    if (!group) return;
    this.groups.delete(groupId);
    this.membership.rebalancer.shutdown(group, 'not-coordinator');
    log.info({ groupId, members: group.members.size }, 'group dropped: another broker coordinates it');
  }

  /** Answers every parked call, stops every timer and stops following the store (broker shutdown). */
  async close(): Promise<void> {
    for (const timer of this.forgetTimers.values()) timer.cancel();
    this.forgetTimers.clear();
    for (const group of this.groups.values()) this.membership.rebalancer.shutdown(group, 'coordinator-not-available');
    this.groups.clear();
    await this.offsets.close();
  }

  /** The claim of a group this broker is about to serve; the error kind when it cannot be taken. */
  private async claim(groupId: string): Promise<GroupErrorKind | null> {
    try {
      await this.offsets.claim(groupId);
      return null;
    } catch (err) {
      return this.writeFailure(groupId, err, 'group claim failed');
    }
  }

  /** A refused shared-state write means another broker coordinates the group: its state here goes. */
  private writeFailure(groupId: string, err: unknown, message: string): GroupErrorKind {
    if (err instanceof GroupError && err.kind === 'not-coordinator') {
      log.warn({ groupId, reason: err.message }, message);
      this.drop(groupId);
      return 'not-coordinator';
    }
    log.error({ err, groupId }, message);
    return err instanceof GroupError ? err.kind : 'coordinator-not-available';
  }

  private checkCommit(input: OffsetCommitInput): GroupErrorKind | null {
    const group = this.lookup(input.groupId);
    // Kafka: a group unknown here commits only without group management (generation < 0).
    if (!group) return input.generationId < 0 ? null : 'illegal-generation';
    if (group.is('Dead')) return 'coordinator-not-available';
    const managed = input.generationId >= 0 || input.memberId !== '' || input.groupInstanceId !== null;
    if (managed) {
      const error = this.membership.checkCommitter(group, input.memberId, input.groupInstanceId, input.generationId);
      if (error) return error;
    } else if (!group.is('Empty')) {
      // Only members commit to a group that has members.
      return 'unknown-member-id';
    }
    return group.is('CompletingRebalance') ? 'rebalance-in-progress' : null;
  }

  private async deleteGroup(groupId: string): Promise<GroupErrorKind | null> {
    const invalid = checkGroupId(groupId, true);
    if (invalid) return invalid;
    const group = this.lookup(groupId);
    if (!group || group.is('Dead')) return 'group-id-not-found';
    if (!group.is('Empty')) return 'non-empty-group';
    group.state = 'Dead';
    try {
      await this.offsets.delete(groupId);
    } catch (err) {
      group.state = 'Empty';
      return this.writeFailure(groupId, err, 'group delete failed');
    }
    this.membership.rebalancer.shutdown(group, 'coordinator-not-available');
    if (this.groups.get(groupId) === group) this.groups.delete(groupId);
    return null;
  }

  /**
   * The group, or an Empty one for a group known only by offsets committed through another
   * coordinator (the group moved here, as Kafka loads it from __consumer_offsets).
   */
  private lookup(groupId: string): Group | undefined {
    const group = this.groups.get(groupId);
    if (group || !this.offsets.hasOffsets(groupId) || this.groups.size >= this.groupsMax) return group;
    const loaded = new Group(groupId);
    this.groups.set(groupId, loaded);
    return loaded;
  }

  private createGroup(groupId: string): Group {
    if (this.groups.size >= this.groupsMax) {
      log.warn({ groupId, groupsMax: this.groupsMax }, 'group limit reached');
      throw new GroupError('coordinator-not-available', `this coordinator already holds ${this.groupsMax} groups`);
    }
    const group = new Group(groupId);
    this.groups.set(groupId, group);
    return group;
  }

  /** An Empty group without committed offsets has nothing left to remember once emptyGroupRetentionMs passed. */
  private forgetIfUnused(group: Group): void {
    if (!this.unused(group) || this.forgetTimers.has(group.groupId)) return;
    this.forgetTimers.set(group.groupId, this.clock.setTimer(GROUP_LIMITS.emptyGroupRetentionMs, () => {
      this.forgetTimers.delete(group.groupId);
      if (!this.unused(group) || this.groups.get(group.groupId) !== group) return;
      this.groups.delete(group.groupId);
      // Its coordinator claim goes with it (cluster mode); a failed delete leaves a claim the next coordinator replaces.
      this.offsets.release(group.groupId).catch((err: unknown) => log.warn({ err, groupId: group.groupId }, 'releasing the claim of a forgotten group failed'));
    }));
  }

  private unused(group: Group): boolean {
    return group.is('Empty') && group.members.size === 0 && group.pendingMembers.size === 0 && !this.offsets.hasOffsets(group.groupId);
  }
}

/** Kafka isValidGroupId: offset and admin APIs accept "" (legacy), membership APIs do not. */
function checkGroupId(groupId: string, allowEmpty: boolean): GroupErrorKind | null {
  if (groupId.length > GROUP_LIMITS.groupIdLengthMax) return 'invalid-group-id';
  return groupId.length === 0 && !allowEmpty ? 'invalid-group-id' : null;
}
