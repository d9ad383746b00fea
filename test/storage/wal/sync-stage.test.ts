import { expect } from 'chai';
import type { PendingAppend } from '../../../src/storage/wal/pending-appends';
import type { Segment } from '../../../src/storage/wal/segment';
import { SyncStage } from '../../../src/storage/wal/sync-stage';
import type { WalStats } from '../../../src/storage/wal/wal-config';

/** A segment whose fdatasyncs the test ends one by one, in any order. */
class ControlledSegment {
  readonly syncs: Array<{ covered: bigint; end: (err?: Error) => void }> = [];
  readers = 0;
  nextOffset = 0n;

  acquire(): void {
    this.readers++;
  }

  release(): void {
    this.readers--;
  }

  sync(): Promise<bigint> {
    const covered = this.nextOffset;
    return new Promise<bigint>((resolve, reject) => {
      this.syncs.push({ covered, end: (err) => (err ? reject(err) : resolve(covered)) });
    });
  }
}

function frames(segment: ControlledSegment, from: number, count: number): PendingAppend[] {
  segment.nextOffset = BigInt(from + count);
  return Array.from({ length: count }, (_, i) => ({
    header: Buffer.alloc(16), batch: Buffer.alloc(1), baseOffset: BigInt(from + i), recordCount: 1, maxTimestampMs: 0,
    segment: segment as unknown as Segment, resolve: () => undefined, reject: () => undefined,
  }));
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('WAL sync stage (fsync always)', () => {
  let segment: ControlledSegment;
  let acked: bigint[];
  let refused: bigint[];
  let durable: bigint;
  let stage: SyncStage;

  beforeEach(() => {
    segment = new ControlledSegment();
    acked = [];
    refused = [];
    durable = 0n;
    const stats: WalStats = { writes: 0, syncs: 0, rolls: 0, syncMs: 0 };
    stage = new SyncStage({
      synced: (group, covered) => {
        acked.push(...group.map((a) => a.baseOffset));
        if (covered > durable) durable = covered;
      },
      failed: (_err, appends) => refused.push(...appends.map((a) => a.baseOffset)),
    }, stats, 2);
  });

  it('starts a second fdatasync for frames written while one runs, and no third', async () => {
    stage.add(frames(segment, 0, 2));
    stage.add(frames(segment, 2, 1));
    stage.add(frames(segment, 3, 1));
    expect(segment.syncs.length).to.equal(2);
    segment.syncs[0].end();
    await tick();
    expect(acked).to.deep.equal([0n, 1n]);
    expect(segment.syncs.length, 'the frames left waiting get the next fdatasync').to.equal(3);
  });

  it('takes a later fdatasync that ends first only after the earlier one ends', async () => {
    stage.add(frames(segment, 0, 1));
    stage.add(frames(segment, 1, 1));
    segment.syncs[1].end();
    await tick();
    expect(acked, 'nothing before the earlier fdatasync ended').to.deep.equal([]);
    segment.syncs[0].end();
    await tick();
    expect(acked).to.deep.equal([0n, 1n]);
    expect(durable).to.equal(2n);
    expect(segment.readers).to.equal(0);
  });

  it('refuses every frame not yet acknowledged when an earlier fdatasync fails after a later one succeeded', async () => {
    stage.add(frames(segment, 0, 1));
    stage.add(frames(segment, 1, 1));
    segment.syncs[1].end();
    await tick();
    segment.syncs[0].end(new Error('EIO'));
    await tick();
    expect(acked).to.deep.equal([]);
    expect(refused).to.deep.equal([0n, 1n]);
  });

  it('refuses what is in flight and waiting when a later fdatasync fails, and keeps what was acknowledged', async () => {
    stage.add(frames(segment, 0, 1));
    stage.add(frames(segment, 1, 1));
    segment.syncs[0].end();
    await tick();
    stage.add(frames(segment, 2, 1));
    expect(segment.syncs.length).to.equal(3);
    segment.syncs[1].end(new Error('EIO'));
    await tick();
    expect(acked).to.deep.equal([0n]);
    expect(refused).to.deep.equal([1n, 2n]);
    segment.syncs[2].end();
    await tick();
    expect(acked, 'an fdatasync still running when another failed acknowledges nothing').to.deep.equal([0n]);
    await stage.drain();
  });

  it('drains once every frame is acknowledged', async () => {
    stage.add(frames(segment, 0, 1));
    stage.add(frames(segment, 1, 1));
    let drained = false;
    const draining = stage.drain().then(() => { drained = true; });
    segment.syncs[0].end();
    await tick();
    expect(drained).to.equal(false);
    segment.syncs[1].end();
    await draining;
    expect(acked).to.deep.equal([0n, 1n]);
  });
});
