/**
 * Feeds a subscription from its partition logs: one loop per partition reads whole batches from
 * the subscription's read offset, only while the subscription wants messages (permits and buffer
 * room), turns them into runs and messages (stored-runs.ts: records are decoded only where
 * needed) and offers them. It parks on an append to the partition or a wake() (new
 * permits, acks), so an idle or slow subscription costs no reads and no memory.
 */
import { NATIVE_LIMITS } from '../../../limits';
import { componentLogger } from '../../../log';
import { isDomainError } from '../../errors';
import type { Partition } from '../../partitions/partition';
import type { NativeRecordCodec } from '../record-codec';
import { readStored, StoppedAtBatchError } from './stored-runs';
import type { Subscription } from './subscription';

const log = componentLogger('native-reader');

export class SubscriptionReader {
  private closed = false;
  private waiters = new Set<() => void>();
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly subscription: Subscription,
    private readonly partitions: Partition[],
    private readonly codec: NativeRecordCodec,
  ) {}

  start(): void {
    this.partitions.forEach((partition, index) => this.loops.push(this.run(partition, index)));
  }

  /** Something changed (permits, acks, consumers): parked loops look again. */
  wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    await Promise.all(this.loops);
  }

  private async run(partition: Partition, index: number): Promise<void> {
    while (!this.closed) {
      try {
        const offset = this.subscription.nextReadOffset(index);
        if (offset === undefined) return;
        if (this.subscription.wanted() <= 0 || offset >= partition.highWatermark()) {
          await this.park(partition);
          continue;
        }
        if (offset < partition.logStartOffset()) {
          this.subscription.skipTo(index, partition.logStartOffset());
          continue;
        }
        const read = await partition.read(offset, NATIVE_LIMITS.dispatchReadBytesMax);
        const items = await readStored(read.chunks, index, this.codec);
        this.subscription.offer(index, items, read.nextOffset);
      } catch (err) {
        if (this.closed) return;
        if (isDomainError(err, 'offset-out-of-range')) continue;
        // The batches before an undecodable one are delivered; dispatch stops at it, skipping nothing.
        if (err instanceof StoppedAtBatchError && err.before.length > 0) this.subscription.offer(index, err.before, err.offset);
        log.warn({ err, subscription: this.subscription.name, partition: index }, 'subscription read failed; retrying');
        await this.park(partition, 1000);
      }
    }
  }

  private park(partition: Partition, timeoutMs = 5000): Promise<void> {
    return new Promise<void>((resolve) => {
      let unsubscribe = () => {};
      const done = () => {
        clearTimeout(timer);
        unsubscribe();
        this.waiters.delete(done);
        resolve();
      };
      // The timeout is a safety net only: appends and wake() are the normal triggers.
      const timer = setTimeout(done, timeoutMs);
      unsubscribe = partition.onAppend(done);
      this.waiters.add(done);
      if (this.closed) done();
    });
  }
}
