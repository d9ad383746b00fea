/**
 * One classic consumer group (Kafka GroupMetadata): its state, generation, members and the
 * protocol they agreed on. Pure bookkeeping; the timing and the replies live in membership.ts.
 * States: Empty -> PreparingRebalance -> CompletingRebalance -> Stable (-> Dead on delete).
 */
import type { Timer } from './clock';
import type { JoinGroupResult, SyncGroupResult } from './group-api';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface MemberProtocol {
  name: string;
  metadata: Buffer;
}

export class GroupMember {
  assignment: Buffer = Buffer.alloc(0);
  /** Resolves the member's parked JoinGroup. */
  awaitingJoin: ((result: JoinGroupResult) => void) | null = null;
  /** Resolves the member's parked SyncGroup. */
  awaitingSync: ((result: SyncGroupResult) => void) | null = null;
  /** Joined during the current rebalance and has not received a generation yet. */
  isNew = true;
  sessionTimer: Timer | null = null;

  constructor(
    public memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    readonly protocolType: string,
    public protocols: MemberProtocol[],
  ) {}

  metadataFor(protocolName: string): Buffer {
    return this.protocols.find((p) => p.name === protocolName)?.metadata ?? Buffer.alloc(0);
  }

  /** Same protocol names and metadata, in the same order. */
  sameProtocols(protocols: MemberProtocol[]): boolean {
    return protocols.length === this.protocols.length
      && protocols.every((p, i) => p.name === this.protocols[i].name && p.metadata.equals(this.protocols[i].metadata));
  }

  cancelSessionTimer(): void {
    this.sessionTimer?.cancel();
    this.sessionTimer = null;
  }
}

export class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, GroupMember>();
  /** Member ids handed out with MEMBER_ID_REQUIRED (KIP-394), with their expiry timers. */
  readonly pendingMembers = new Map<string, Timer>();
  /** group.instance.id -> member id (KIP-345 static membership). */
  readonly staticMembers = new Map<string, string>();
  /** The delayed join that completes the current rebalance. */
  rebalanceTimer: Timer | null = null;
  /** When the current join phase started (for the joinWaitMsMax cap). */
  rebalanceStartedMs = 0;

  constructor(readonly groupId: string) {}

  is(state: GroupState): boolean {
    return this.state === state;
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  add(member: GroupMember): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    this.members.set(member.memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    if (this.leaderId === null) this.leaderId = member.memberId;
  }

  remove(memberId: string): GroupMember | undefined {
    const member = this.members.get(memberId);
    if (!member) return undefined;
    member.cancelSessionTimer();
    this.members.delete(memberId);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
      this.staticMembers.delete(member.groupInstanceId);
    }
    if (this.leaderId === memberId) this.leaderId = this.pickLeader();
    return member;
  }

  /** KIP-345: a static member rejoining with a new member id takes over the old one's place. */
  replaceMemberId(oldMemberId: string, newMemberId: string): GroupMember {
    const member = this.members.get(oldMemberId);
    if (!member) throw new Error(`no member ${oldMemberId} in group ${this.groupId}`);
    this.members.delete(oldMemberId);
    member.memberId = newMemberId;
    this.members.set(newMemberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, newMemberId);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    return member;
  }

  memberIdOfInstance(groupInstanceId: string): string | undefined {
    return this.staticMembers.get(groupInstanceId);
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  /** Every member has a JoinGroup parked and no MEMBER_ID_REQUIRED member is still to come. */
  allMembersJoined(): boolean {
    return this.pendingMembers.size === 0 && [...this.members.values()].every((m) => m.awaitingJoin !== null);
  }

  /** The longest rebalance timeout any member asked for (Kafka waits that long for rejoins). */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const member of this.members.values()) max = Math.max(max, member.rebalanceTimeoutMs);
    return max;
  }

  /** Whether a member offering these protocols can belong to the group (else INCONSISTENT_GROUP_PROTOCOL). */
  supportsProtocols(protocolType: string, protocols: MemberProtocol[]): boolean {
    if (this.members.size === 0) return protocolType.length > 0 && protocols.length > 0;
    if (protocolType !== this.protocolType) return false;
    const candidates = this.candidateProtocols();
    return protocols.some((p) => candidates.has(p.name));
  }

  /** Protocols every member supports. */
  candidateProtocols(): Set<string> {
    const members = [...this.members.values()];
    if (members.length === 0) return new Set();
    const names = members[0].protocols.map((p) => p.name);
    return new Set(names.filter((name) => members.every((m) => m.protocols.some((p) => p.name === name))));
  }

  /** Kafka's vote: each member backs its most preferred candidate; most votes wins, ties go to the leader's preference. */
  selectProtocol(): string {
    const candidates = this.candidateProtocols();
    const votes = new Map<string, number>();
    for (const member of this.members.values()) {
      const choice = member.protocols.find((p) => candidates.has(p.name));
      if (choice) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
    }
    const leader = this.leaderId === null ? undefined : this.members.get(this.leaderId);
    const order = (leader ?? [...this.members.values()][0]).protocols.map((p) => p.name).filter((n) => candidates.has(n));
    let best = order[0];
    for (const name of order) if ((votes.get(name) ?? 0) > (votes.get(best) ?? 0)) best = name;
    return best;
  }

  /** A member already rejoining makes the best leader: it will answer this rebalance. */
  private pickLeader(): string | null {
    const waiting = [...this.members.values()].find((m) => m.awaitingJoin !== null);
    return waiting?.memberId ?? this.members.keys().next().value ?? null;
  }
}
