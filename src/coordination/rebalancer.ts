import { COORDINATION_LIMITS } from '../limits';
import { componentLogger } from '../log';
import type { StoredAssignment } from './assignment';
import type { BrokerState } from './broker-registry';
import { cancelHandoff, completeHandoff, listHandoffs, requestHandoffs, type StoredHandoff } from './handoff';
import type { ClusterKeys } from './keys';
import type { MetadataStore } from './metadata-store';
import { clearStalePin, listPins, pinHolds } from './partition-pin';
import { planRebalance } from './rebalance-plan';

const log = componentLogger('rebalancer');

export interface BrokerSnapshot {
  brokerId: number;
  state: BrokerState;
  /** Create revision of the registration: a new one means the broker registered again (restart, flap). */
  createRevision: bigint;
}

export interface RebalanceLimits {
  movesPerRoundMax: number;
  pauseMs: number;
  brokerAgeMsMin: number;
  handoffMsMax: number;
}

export const DEFAULT_REBALANCE_LIMITS: RebalanceLimits = {
  movesPerRoundMax: COORDINATION_LIMITS.rebalanceMovesPerRoundMax,
  pauseMs: COORDINATION_LIMITS.rebalancePauseMs,
  brokerAgeMsMin: COORDINATION_LIMITS.rebalanceBrokerAgeMsMin,
  handoffMsMax: COORDINATION_LIMITS.rebalanceHandoffMsMax,
};

/**
 * The controller's rebalancing (see handoff.ts for one move). Each step, run by the assigner
 * once placement has nothing to do: settle the handoffs in flight (complete ready ones, cancel
 * stale, refused or overdue ones); when none is left, the last round ended more than pauseMs
 * ago and every broker is running, ask for the next round of moves toward brokers registered
 * for at least brokerAgeMsMin. Partitions an operator moved stay where they were put while
 * their pin holds (partition-pin.ts); pins that no longer match their assignment are deleted.
 * An operator's handoff request (manual) is settled like the rebalancer's own. Times are this controller's own: a new controller starts its
 * clocks when it first sees a broker or a request, so it only ever waits longer.
 */
export class Rebalancer {
  private readonly firstSeen = new Map<number, { createRevision: bigint; atMs: number }>();
  private readonly requestSeenAtMs = new Map<string, number>();
  /** Brokers that refused a handoff (nothing to upload to), by registration: not a source until they register again. */
  private readonly refusing = new Map<number, bigint>();
  private lastRoundEndMs = 0;
  private wakeTimer: NodeJS.Timeout | null = null;
  private wakeAtMs = Infinity;
  private stopped = false;

  constructor(private readonly store: MetadataStore, private readonly keys: ClusterKeys,
    private readonly wake: () => void, private readonly limits: RebalanceLimits) {}

  /** One step; resolves true if a write lost a race and another round should run now. */
  async step(epoch: bigint, brokers: BrokerSnapshot[], assignments: StoredAssignment[],
    brokerLoads?: ReadonlyMap<number, number>): Promise<boolean> {
    const nowMs = Date.now();
    this.noteBrokers(brokers, nowMs);
    const running = brokers.filter((b) => b.state === 'running');
    const pins = await this.heldPins(epoch, assignments);
    const settled = await this.settleHandoffs(epoch, new Set(running.map((b) => b.brokerId)), assignments, nowMs);
    if (pins.raced || settled.raced || settled.inFlight > 0) return pins.raced || settled.raced;
    if (running.length !== brokers.length) return false;
    if (nowMs < this.lastRoundEndMs + this.limits.pauseMs) {
      this.wakeAt(this.lastRoundEndMs + this.limits.pauseMs);
      return false;
    }
    const settledIds: number[] = [];
    for (const b of running) {
      const matureAtMs = this.firstSeen.get(b.brokerId)!.atMs + this.limits.brokerAgeMsMin;
      if (matureAtMs <= nowMs) settledIds.push(b.brokerId);
      else this.wakeAt(matureAtMs);
    }
    const moves = planRebalance({
      runningBrokerIds: running.map((b) => b.brokerId), settledBrokerIds: settledIds,
      pinnedBrokerIds: [...this.refusing.keys()], pinnedPartitions: pins.held, assignments, movesMax: this.limits.movesPerRoundMax,
      brokerLoads,
    });
    if (moves.length === 0) return false;
    if (!await requestHandoffs(this.store, this.keys, epoch, moves)) return true;
    log.info({ epoch, moves: moves.map((m) => `${m.topic}/${m.partition} ${m.from}->${m.to}`) }, 'rebalancing: handoffs requested');
    return false;
  }

  stop(): void {
    this.stopped = true;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
  }

  private noteBrokers(brokers: BrokerSnapshot[], nowMs: number): void {
    const live = new Set(brokers.map((b) => b.brokerId));
    for (const id of [...this.firstSeen.keys()]) if (!live.has(id)) this.firstSeen.delete(id);
    for (const b of brokers) {
      if (this.firstSeen.get(b.brokerId)?.createRevision !== b.createRevision) {
        this.firstSeen.set(b.brokerId, { createRevision: b.createRevision, atMs: nowMs });
      }
      if (this.refusing.has(b.brokerId) && this.refusing.get(b.brokerId) !== b.createRevision) this.refusing.delete(b.brokerId);
    }
  }

  /** "topic/partition" of every pin that holds; deletes the others (raced: a delete found its assignment changed). */
  private async heldPins(epoch: bigint, assignments: StoredAssignment[]): Promise<{ held: string[]; raced: boolean }> {
    const current = new Map(assignments.map((a) => [`${a.topic}/${a.partition}`, a]));
    const held: string[] = [];
    let raced = false;
    for (const pin of await listPins(this.store, this.keys)) {
      const id = `${pin.topic}/${pin.partition}`;
      if (pinHolds(pin, current.get(id))) {
        held.push(id);
      } else if (await clearStalePin(this.store, this.keys, epoch, pin, current.get(id))) {
        log.info({ partition: id, pinnedTo: pin.brokerId, leaderEpoch: pin.leaderEpoch }, 'pin cleared: the partition was reassigned since');
      } else {
        raced = true;
      }
    }
    return { held, raced };
  }

  private async settleHandoffs(epoch: bigint, runningIds: Set<number>, assignments: StoredAssignment[], nowMs: number):
    Promise<{ inFlight: number; raced: boolean }> {
    const current = new Map(assignments.map((a) => [`${a.topic}/${a.partition}`, a]));
    const handoffs = await listHandoffs(this.store, this.keys);
    const seen = new Set<string>();
    let inFlight = 0;
    let raced = false;
    let completed = 0;
    for (const h of handoffs) {
      const a = current.get(`${h.topic}/${h.partition}`);
      let ok = true;
      if (!a || a.brokerId !== h.from || a.leaderEpoch !== h.leaderEpoch || !runningIds.has(h.from) || !runningIds.has(h.to)) {
        ok = await this.cancel(h, 'stale: owner, epoch or target changed');
      } else if (h.state === 'refused') {
        this.refusing.set(h.from, this.firstSeen.get(h.from)!.createRevision);
        ok = await this.cancel(h, 'refused by the owner');
      } else if (h.state === 'ready') {
        ok = await completeHandoff(this.store, this.keys, epoch, h, a.modRevision);
        if (ok) completed++;
        if (ok) log.info({ topic: h.topic, partition: h.partition, from: h.from, to: h.to, leaderEpoch: h.leaderEpoch + 1, manual: h.manual ?? false }, 'partition handed off');
      } else {
        const id = `${h.key}@${h.modRevision}`;
        seen.add(id);
        const seenAtMs = this.requestSeenAtMs.get(id) ?? nowMs;
        this.requestSeenAtMs.set(id, seenAtMs);
        if (nowMs - seenAtMs >= this.limits.handoffMsMax) {
          ok = await this.cancel(h, `no answer within ${this.limits.handoffMsMax} ms`);
        } else {
          inFlight++;
          this.wakeAt(seenAtMs + this.limits.handoffMsMax);
        }
      }
      raced ||= !ok;
    }
    for (const id of [...this.requestSeenAtMs.keys()]) if (!seen.has(id)) this.requestSeenAtMs.delete(id);
    if (completed > 0 || handoffs.length > inFlight) this.lastRoundEndMs = Date.now();
    return { inFlight, raced };
  }

  private async cancel(h: StoredHandoff, reason: string): Promise<boolean> {
    log.info({ topic: h.topic, partition: h.partition, from: h.from, to: h.to, reason }, 'handoff cancelled');
    return cancelHandoff(this.store, this.keys, h);
  }

  private wakeAt(atMs: number): void {
    if (this.stopped || atMs >= this.wakeAtMs) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeAtMs = atMs;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.wakeAtMs = Infinity;
      this.wake();
    }, Math.max(0, atMs - Date.now()) + 10);
    this.wakeTimer.unref();
  }
}
