/**
 * Hands out producer ids that never repeat, across restarts and across brokers: ids come from
 * blocks reserved in the metadata store with compare-and-swap before any id of the block is
 * used, so a crash can only skip ids, never reuse one.
 *
 * Fencing: the block counter's revision is the allocator's epoch. Each reservation compares the
 * revision it read, so a paused or cut-off broker resuming with a reservation in flight cannot
 * overwrite a later one (its write fails and it reserves the next free block); what it still
 * holds is its own block, disjoint from every other (tested in
 * test/broker/cluster/epoch-fenced-writes.test.ts).
 */
import { PRODUCER_LIMITS } from '../../limits';
import type { MetadataStore } from '../../coordination/metadata-store';

interface StoredBlock {
  nextProducerId: string;
}

/** Bounded CAS retries when several brokers reserve blocks at once. */
const RESERVE_ATTEMPTS_MAX = 100;

export class ProducerIdAllocator {
  private next = 0n;
  private end = 0n;
  private reserving: Promise<void> | null = null;

  constructor(private readonly store: MetadataStore, private readonly key: string,
    private readonly blockSize: number = PRODUCER_LIMITS.producerIdBlockSize) {}

  async allocate(): Promise<bigint> {
    while (this.next >= this.end) {
      this.reserving ??= this.reserveBlock().finally(() => { this.reserving = null; });
      await this.reserving;
    }
    return this.next++;
  }

  private async reserveBlock(): Promise<void> {
    for (let attempt = 0; attempt < RESERVE_ATTEMPTS_MAX; attempt++) {
      const current = await this.store.get(this.key);
      const start = current ? BigInt((JSON.parse(current.value) as StoredBlock).nextProducerId) : 0n;
      const end = start + BigInt(this.blockSize);
      const value: StoredBlock = { nextProducerId: end.toString() };
      const result = await this.store.txn([{ key: this.key, modRevision: current?.modRevision ?? 0n }],
        [{ type: 'put', key: this.key, value: JSON.stringify(value) }]);
      if (result.succeeded) {
        this.next = start;
        this.end = end;
        return;
      }
    }
    throw new Error(`could not reserve a producer id block after ${RESERVE_ATTEMPTS_MAX} attempts`);
  }
}
