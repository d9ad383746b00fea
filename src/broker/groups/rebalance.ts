/**
 * The timed half of the group state machine (Kafka GroupCoordinator prepareRebalance /
 * onCompleteJoin / onCompleteSync / heartbeat expiry): starts rebalances, completes the join
 * phase when every member has rejoined or the wait ends, hands out assignments, and removes
 * members whose session expired. Parked JoinGroup and SyncGroup calls are resolved here.
 */
import { componentLogger } from '../../log';
import type { Clock } from './clock';
import type { GroupErrorKind } from './group-errors';
import type { JoinGroupResult, SyncGroupResult } from './group-api';
import { Group, GroupMember } from './group';

const log = componentLogger('group-rebalance');

export interface RebalanceConfig {
  /** Extra wait when an Empty group starts its first rebalance (Kafka group.initial.rebalance.delay.ms). */
  initialRebalanceDelayMs: number;
  /** Cap on any JoinGroup/SyncGroup wait, whatever rebalance timeout the members asked for. */
  joinWaitMsMax: number;
}

export interface RebalanceEvents {
  /** The group lost its last member (it may now be forgotten if it has no offsets). */
  onEmpty(group: Group): void;
}

export function joinFailure(error: GroupErrorKind, memberId: string): JoinGroupResult {
  return { error, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
}

export function syncFailure(error: GroupErrorKind): SyncGroupResult {
  return { error, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
}

interface GroupTimers {
  initialDelayActive: boolean;
  joinedDuringDelay: boolean;
  /** Members that got a generation but have not sent SyncGroup yet. */
  pendingSync: Set<string>;
}

export class Rebalancer {
  private readonly timers = new WeakMap<Group, GroupTimers>();

  constructor(private readonly clock: Clock, private readonly config: RebalanceConfig, private readonly events: RebalanceEvents) {}

  /** Parks the member's JoinGroup until the join phase completes; a parked member cannot expire. */
  parkJoin(member: GroupMember): Promise<JoinGroupResult> {
    member.cancelSessionTimer();
    member.awaitingJoin?.(joinFailure('rebalance-in-progress', member.memberId));
    return new Promise((resolve) => {
      member.awaitingJoin = resolve;
    });
  }

  parkSync(group: Group, member: GroupMember): Promise<SyncGroupResult> {
    member.cancelSessionTimer();
    member.awaitingSync?.(syncFailure('rebalance-in-progress'));
    this.state(group).pendingSync.delete(member.memberId);
    return new Promise((resolve) => {
      member.awaitingSync = resolve;
    });
  }

  /** Called when a member joined during an initial delay: the delay is extended once more. */
  noteJoin(group: Group): void {
    const state = this.state(group);
    if (state.initialDelayActive) state.joinedDuringDelay = true;
  }

  maybePrepareRebalance(group: Group, reason: string): void {
    if (group.is('Stable') || group.is('CompletingRebalance') || group.is('Empty')) this.prepareRebalance(group, reason);
  }

  /** Completes the join phase if nothing more is awaited. */
  checkJoinComplete(group: Group): void {
    if (group.is('PreparingRebalance') && !this.state(group).initialDelayActive && group.allMembersJoined()) {
      this.completeJoin(group);
    }
  }

  /** Restarts the member's session timer (heartbeat, commit, join or sync answered). */
  touchSession(group: Group, member: GroupMember): void {
    member.cancelSessionTimer();
    if (member.awaitingJoin || member.awaitingSync) return;
    member.sessionTimer = this.clock.setTimer(member.sessionTimeoutMs, () => {
      if (group.members.get(member.memberId) !== member || member.awaitingJoin || member.awaitingSync) return;
      log.info({ groupId: group.groupId, memberId: member.memberId }, 'member session expired');
      this.removeMember(group, member, 'session expired');
    });
  }

  /** Removes a member, answers its parked calls, and rebalances what remains. */
  removeMember(group: Group, member: GroupMember, reason: string): void {
    member.awaitingJoin?.(joinFailure('unknown-member-id', member.memberId));
    member.awaitingJoin = null;
    member.awaitingSync?.(syncFailure('unknown-member-id'));
    member.awaitingSync = null;
    group.remove(member.memberId);
    this.state(group).pendingSync.delete(member.memberId);
    if (group.is('Stable') || group.is('CompletingRebalance')) this.prepareRebalance(group, `member left: ${reason}`);
    else if (group.is('PreparingRebalance')) this.checkJoinComplete(group);
  }

  /** Leader's SyncGroup in CompletingRebalance: store assignments, go Stable, answer every parked sync. */
  completeSync(group: Group, assignments: { memberId: string; assignment: Buffer }[]): void {
    const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    for (const member of group.members.values()) member.assignment = byMember.get(member.memberId) ?? Buffer.alloc(0);
    group.state = 'Stable';
    this.cancelGroupTimer(group);
    for (const member of group.members.values()) {
      const resolve = member.awaitingSync;
      member.awaitingSync = null;
      resolve?.({ error: null, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment });
      this.touchSession(group, member);
    }
  }

  /** Cancels every timer of a group being deleted or shut down and answers parked calls. */
  shutdown(group: Group, error: GroupErrorKind): void {
    this.cancelGroupTimer(group);
    for (const timer of group.pendingMembers.values()) timer.cancel();
    group.pendingMembers.clear();
    for (const member of group.members.values()) {
      member.cancelSessionTimer();
      member.awaitingJoin?.(joinFailure(error, member.memberId));
      member.awaitingJoin = null;
      member.awaitingSync?.(syncFailure(error));
      member.awaitingSync = null;
    }
  }

  /** Forgets a member id handed out with MEMBER_ID_REQUIRED once it is used or expires. */
  dropPending(group: Group, memberId: string): boolean {
    const timer = group.pendingMembers.get(memberId);
    if (!timer) return false;
    timer.cancel();
    group.pendingMembers.delete(memberId);
    return true;
  }

  addPending(group: Group, memberId: string, sessionTimeoutMs: number): void {
    group.pendingMembers.set(memberId, this.clock.setTimer(sessionTimeoutMs, () => {
      if (!this.dropPending(group, memberId)) return;
      this.checkJoinComplete(group);
    }));
  }

  private prepareRebalance(group: Group, reason: string): void {
    if (group.is('CompletingRebalance')) this.failParkedSyncs(group);
    const wasEmpty = group.is('Empty');
    group.state = 'PreparingRebalance';
    group.rebalanceStartedMs = this.clock.nowMs();
    this.cancelGroupTimer(group);
    log.debug({ groupId: group.groupId, reason, generationId: group.generationId }, 'preparing rebalance');
    const state = this.state(group);
    if (wasEmpty && this.config.initialRebalanceDelayMs > 0) {
      state.initialDelayActive = true;
      state.joinedDuringDelay = false;
      group.rebalanceTimer = this.clock.setTimer(Math.min(this.config.initialRebalanceDelayMs, this.joinWaitMs(group)),
        () => this.onInitialDelayEnd(group));
      return;
    }
    group.rebalanceTimer = this.clock.setTimer(this.joinWaitMs(group), () => this.completeJoin(group));
    this.checkJoinComplete(group);
  }

  /** Kafka InitialDelayedJoin: wait again while members keep arriving, within the rebalance limit. */
  private onInitialDelayEnd(group: Group): void {
    const state = this.state(group);
    if (!group.is('PreparingRebalance') || !state.initialDelayActive) return;
    const remainingMs = this.joinWaitMs(group) - (this.clock.nowMs() - group.rebalanceStartedMs);
    if (state.joinedDuringDelay && remainingMs > 0) {
      state.joinedDuringDelay = false;
      group.rebalanceTimer = this.clock.setTimer(Math.min(this.config.initialRebalanceDelayMs, remainingMs),
        () => this.onInitialDelayEnd(group));
      return;
    }
    state.initialDelayActive = false;
    group.rebalanceTimer = this.clock.setTimer(Math.max(0, remainingMs), () => this.completeJoin(group));
    this.checkJoinComplete(group);
  }

  /** Kafka onCompleteJoin: drop members that did not rejoin, start the next generation, answer the joins. */
  private completeJoin(group: Group): void {
    if (!group.is('PreparingRebalance')) return;
    this.cancelGroupTimer(group);
    const state = this.state(group);
    state.initialDelayActive = false;
    for (const member of [...group.members.values()]) {
      if (member.awaitingJoin === null) group.remove(member.memberId);
    }
    group.generationId += 1;
    if (group.members.size === 0) {
      group.state = 'Empty';
      group.protocolName = null;
      this.events.onEmpty(group);
      return;
    }
    group.protocolName = group.selectProtocol();
    group.state = 'CompletingRebalance';
    state.pendingSync = new Set(group.members.keys());
    const members = [...group.members.values()].map((m) => ({
      memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataFor(group.protocolName as string),
    }));
    for (const member of group.members.values()) {
      const resolve = member.awaitingJoin;
      member.awaitingJoin = null;
      member.isNew = false;
      resolve?.({
        error: null, generationId: group.generationId, protocolType: group.protocolType, protocolName: group.protocolName,
        leader: group.leaderId ?? '', memberId: member.memberId, members: group.isLeader(member.memberId) ? members : [],
      });
      this.touchSession(group, member);
    }
    group.rebalanceTimer = this.clock.setTimer(this.joinWaitMs(group), () => this.onSyncWaitEnd(group));
  }

  /** Members that never sent SyncGroup after the join phase are removed (Kafka pending-sync expiry). */
  private onSyncWaitEnd(group: Group): void {
    if (!group.is('CompletingRebalance')) return;
    const late = [...this.state(group).pendingSync];
    log.info({ groupId: group.groupId, late }, 'members did not sync in time');
    for (const memberId of late) {
      const member = group.members.get(memberId);
      if (member) this.removeMember(group, member, 'no SyncGroup in time');
    }
  }

  private failParkedSyncs(group: Group): void {
    for (const member of group.members.values()) {
      const resolve = member.awaitingSync;
      member.awaitingSync = null;
      resolve?.(syncFailure('rebalance-in-progress'));
      if (resolve) this.touchSession(group, member);
    }
  }

  private joinWaitMs(group: Group): number {
    return Math.min(Math.max(group.rebalanceTimeoutMs(), 0), this.config.joinWaitMsMax);
  }

  private cancelGroupTimer(group: Group): void {
    group.rebalanceTimer?.cancel();
    group.rebalanceTimer = null;
  }

  private state(group: Group): GroupTimers {
    let state = this.timers.get(group);
    if (!state) {
      state = { initialDelayActive: false, joinedDuringDelay: false, pendingSync: new Set() };
      this.timers.set(group, state);
    }
    return state;
  }
}
