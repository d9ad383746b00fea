/**
 * The run side of a subscription's dispatch (Exclusive and Failover first deliveries): a run of
 * one stored batch goes to the active consumer in stretches of unacked offsets as its permits and
 * unacked limit allow, and each stretch is tracked as one DeliveredRun holding its count of
 * unacked offsets. The cursor stays the source of truth for what is acked; a run's count and its
 * consumer's unacked count follow it. What needs single messages decodes the run
 * (stored-runs.ts runMessages): a nacked offset is cut out of its run, and a run that times out or
 * whose consumer leaves goes back in line as single messages counted as redeliveries.
 */
import type { PartitionCursor } from './cursor';
import { type DeliveredRun, DeliveredRuns } from './delivered-runs';
import { type Outstanding, type Queued, queued } from './queued';
import { runMessages } from './stored-runs';
import type { StoredRun, SubscriptionConsumer } from './types';

export interface ConsumerState {
  consumer: SubscriptionConsumer;
  permits: number;
  /** Outstanding messages delivered to this consumer (single messages and run offsets). */
  unacked: number;
}

export interface RunDeliveryHost {
  readonly cursors: Map<number, PartitionCursor>;
  readonly consumerUnackedMessagesMax: number;
  consumerState(consumerId: string): ConsumerState | undefined;
  /** Back in line as a redelivery (or to the dead-letter topic). */
  requeue(item: Queued): void;
}

export class RunDelivery {
  private readonly runs = new DeliveredRuns();

  constructor(private readonly host: RunDeliveryHost) {}

  /**
   * Delivers the run's unacked offsets in stretches as far as the consumer's permits and unacked
   * limit allow; true when nothing of it is left, else its first offset is moved past what went.
   */
  deliver(state: ConsumerState, run: StoredRun, now: number): boolean {
    const cursor = this.host.cursors.get(run.partition);
    if (!cursor) return true;
    for (;;) {
      const stretch = cursor.firstUnackedIn(run.first, run.last);
      if (stretch === null) return true;
      run.first = stretch[0];
      const room = Math.min(state.permits, this.host.consumerUnackedMessagesMax - state.unacked);
      if (room <= 0 || state.consumer.backpressured?.()) return false;
      const last = stretch[1] - stretch[0] < BigInt(room) ? stretch[1] : stretch[0] + BigInt(room - 1);
      const count = Number(last - stretch[0]) + 1;
      const delivered: DeliveredRun = {
        partition: run.partition, batch: run.batch, first: stretch[0], last, consumerId: state.consumer.id, deliveredAtMs: now, pending: count, live: true,
      };
      state.permits -= count;
      state.unacked += count;
      this.runs.add(delivered);
      if (state.consumer.pushRun) state.consumer.pushRun(delivered);
      else for (const message of runMessages(delivered)) state.consumer.push(message, 0);
      if (last === run.last) return true;
      run.first = last + 1n;
    }
  }

  /** `offset` was just acked in the cursor (it was not before). */
  acked(partition: number, offset: bigint): void {
    const run = this.runs.find(partition, offset);
    if (run) this.settle(run, 1);
  }

  /** Call before the cursor acks everything up to `offset`: runs below it settle, a run across it keeps the rest. */
  ackingUpTo(partition: number, offset: bigint, cursor: PartitionCursor): void {
    for (const run of this.runs.startingUpTo(partition, offset)) {
      const top = run.last < offset ? run.last : offset;
      this.settle(run, unackedIn(cursor, run.first, top));
      if (run.live) run.first = top + 1n;
    }
  }

  /**
   * Cuts one unacked offset out of its delivered run (nack) and returns it as an outstanding
   * message, no longer counted for its consumer; undefined when no run holds it unacked.
   */
  take(partition: number, offset: bigint): Outstanding | undefined {
    const run = this.runs.find(partition, offset);
    const cursor = this.host.cursors.get(partition);
    if (!run || !cursor || cursor.isAcked(offset)) return undefined;
    const [message] = runMessages({ partition, batch: run.batch, first: offset, last: offset });
    const right: DeliveredRun = { ...run, first: offset + 1n, pending: unackedIn(cursor, offset + 1n, run.last) };
    this.settle(run, 1);
    if (run.live) {
      run.last = offset - 1n;
      run.pending -= right.pending;
      if (right.pending > 0) this.runs.insertAfter(run, right);
      if (run.pending <= 0) this.runs.remove(run);
    }
    return { message, redeliveryCount: 0, notBeforeMs: 0, consumerId: run.consumerId, deliveredAtMs: run.deliveredAtMs };
  }

  /** Runs delivered at or before `deliveredAtMs` go back in line (ack timeout). */
  requeueDeliveredBy(deliveredAtMs: number, now: number): void {
    for (const run of this.runs.deliveredBy(deliveredAtMs)) this.requeue(run, now);
  }

  /** Every run of the consumer goes back in line (it left, or handed over as Failover active). */
  requeueConsumer(consumerId: string, now: number): void {
    for (const run of this.runs.ofConsumer(consumerId)) this.requeue(run, now);
  }

  /** A run as single messages for dispatch (Shared, Key_Shared), acked ones left out. */
  queuedOf(run: StoredRun): Queued[] {
    const cursor = this.host.cursors.get(run.partition);
    return runMessages(run, (offset) => !cursor?.isAcked(offset)).map((m) => queued(m, 0, 0));
  }

  /** `count` more offsets of the run are acked; it goes once none is left. */
  private settle(run: DeliveredRun, count: number): void {
    run.pending -= count;
    const state = this.host.consumerState(run.consumerId);
    if (state) state.unacked -= count;
    if (run.pending <= 0) this.runs.remove(run);
  }

  /** The run's unacked messages back in line, counted as redeliveries. */
  private requeue(run: DeliveredRun, now: number): void {
    const cursor = this.host.cursors.get(run.partition);
    const state = this.host.consumerState(run.consumerId);
    if (state) state.unacked -= run.pending;
    this.runs.remove(run);
    for (const message of runMessages(run, (offset) => !cursor?.isAcked(offset))) this.host.requeue(queued(message, 1, now));
  }
}

/** Offsets from..to (inclusive) the cursor has not acked. */
function unackedIn(cursor: PartitionCursor, from: bigint, to: bigint): number {
  if (from > to) return 0;
  return Number(to - from + 1n - cursor.ackedCountBetween(from, to + 1n));
}
