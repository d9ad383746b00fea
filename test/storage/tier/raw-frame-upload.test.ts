/**
 * The uploader copies the WAL's frames raw into the object it builds (readFramesForUpload).
 * Those objects must be the very bytes the batch-by-batch builder makes from the same batches,
 * so every reader of the format reads them, with every offset exact. Both ways of reading them:
 * on the event loop, and by the upload read worker (a thread at a lower priority that preads and
 * checks the frames in the object's shared memory).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedMetadataStore } from '../../../src/coordination/embedded/embedded-store';
import { clusterKeys } from '../../../src/coordination/keys';
import { OpendalObjectStore } from '../../../src/storage/objects/opendal-store';
import { BlockCache } from '../../../src/storage/tier/block-cache';
import type { ObjectDescriptor } from '../../../src/storage/tier/descriptor';
import { encodeObject, TierBatch, verifyObject } from '../../../src/storage/tier/object-format';
import { TierIndex } from '../../../src/storage/tier/tier-index';
import { TieredReader } from '../../../src/storage/tier/tiered-reader';
import { UploadReadWorker } from '../../../src/storage/tier/upload-read-worker';
import { UploadSource, Uploader } from '../../../src/storage/tier/uploader';
import { FRAME_HEADER_BYTES } from '../../../src/storage/wal/frame';
import type { WalPartitionLog } from '../../../src/storage/wal/wal-partition-log';
import { TIER_LIMITS } from '../../../src/limits';
import { testAppend, testBatchFormat } from '../support/test-batch-format';
import { openTestWal, WalTestHarness } from '../wal/wal-harness';

const BLOCK_BYTES = 2000;

interface Rig {
  dir: string;
  harness: WalTestHarness;
  metadata: EmbeddedMetadataStore;
  objects: OpendalObjectStore;
  index: TierIndex;
  uploader: Uploader;
  logs: WalPartitionLog[];
  close(): Promise<void>;
}

/** The upload read worker of the rigs of the current mode; null: reads on the event loop. */
let readWorker: UploadReadWorker | null = null;

async function openRig(partitions: number, segmentBytes: number): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-raw-upload-'));
  const harness = new WalTestHarness();
  const metadata = await EmbeddedMetadataStore.open(join(dir, 'meta'));
  const objects = new OpendalObjectStore({ backend: 'fs', root: join(dir, 'objects') });
  const index = new TierIndex();
  const uploader = new Uploader({ objects, metadata, keys: clusterKeys('/raw'), brokerId: 1, index, format: testBatchFormat, blockBytes: BLOCK_BYTES, readWorker: readWorker ?? undefined });
  const logs: WalPartitionLog[] = [];
  for (let p = 0; p < partitions; p++) logs.push(await openTestWal(harness, join(dir, `p${p}`), { segmentBytes, fsyncPolicy: 'never' }));
  return {
    dir, harness, metadata, objects, index, uploader, logs,
    close: async () => {
      for (const log of logs) await log.close();
      await metadata.close();
      await harness.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function sourceOf(log: WalPartitionLog, partition: number): UploadSource {
  return { topic: 't', partition, local: log, leaderEpoch: () => 3, onUploaded: (offset) => log.markUploaded(offset) };
}

/** Every batch of the WAL in [from, to), as the batch-by-batch builder takes them. */
async function walBatches(log: WalPartitionLog, from: bigint, to: bigint): Promise<TierBatch[]> {
  const out: TierBatch[] = [];
  let offset = 0n;
  while (offset < log.highWatermark()) {
    const read = await log.read(offset, 1 << 20);
    for (const batch of read.chunks) {
      const baseOffset = batch.readBigInt64BE(0);
      const nextOffset = baseOffset + BigInt(testBatchFormat.recordCount(batch));
      if (baseOffset >= from && baseOffset < to) out.push({ baseOffset, nextOffset, maxTimestampMs: testBatchFormat.maxTimestampMs(batch), batch });
    }
    offset = read.nextOffset;
  }
  return out;
}

/** The object the batch-by-batch builder (encodeObject) makes for the same ranges. */
async function expectedBody(rig: Rig, descriptor: ObjectDescriptor): Promise<Buffer> {
  const parts = [];
  for (const range of descriptor.ranges) {
    parts.push({ topic: range.topic, partition: range.partition, leaderEpoch: range.leaderEpoch, batches: await walBatches(rig.logs[range.partition], range.baseOffset, range.endOffset) });
  }
  return encodeObject(parts, BLOCK_BYTES).body;
}

async function readBack(rig: Rig, partition: number): Promise<Array<{ base: bigint; hex: string }>> {
  const reader = new TieredReader(rig.index, new BlockCache(rig.objects));
  const out: Array<{ base: bigint; hex: string }> = [];
  let offset = 0n;
  const end = rig.index.endOffset('t', partition) ?? 0n;
  while (offset < end) {
    const result = (await reader.read('t', partition, offset, 4096))!;
    for (const chunk of result.chunks) out.push({ base: chunk.readBigInt64BE(0), hex: chunk.toString('hex') });
    offset = result.nextOffset;
  }
  return out;
}

async function walContents(log: WalPartitionLog): Promise<Array<{ base: bigint; hex: string }>> {
  return (await walBatches(log, 0n, log.highWatermark())).map((b) => ({ base: b.baseOffset, hex: b.batch.toString('hex') }));
}

async function appendBatches(log: WalPartitionLog, specs: Array<{ recordCount: number; payload: number }>, seed: number): Promise<void> {
  for (const [i, spec] of specs.entries()) await log.append(testAppend({ ...spec, seed: seed + i, maxTimestampMs: BigInt(1000 + seed + i) }));
}

for (const mode of ['on the event loop', 'by the upload read worker'] as const) describe(`tier uploads from raw WAL frames read ${mode}`, () => {
  let rig: Rig | null = null;
  before(() => {
    readWorker = mode === 'by the upload read worker' ? new UploadReadWorker(10) : null;
  });
  after(async () => {
    await readWorker?.close();
    readWorker = null;
  });
  afterEach(async () => {
    await rig?.close();
    rig = null;
  });

  it('stores objects byte-identical to the batch-by-batch builder over several segments and cycles, and reads every batch back at its offset', async () => {
    rig = await openRig(2, 3000);
    const specs = (n: number, k: number) => Array.from({ length: n }, (_, i) => ({ recordCount: 1 + ((i + k) % 4), payload: 30 + ((i * 97 + k) % 900) }));
    for (const [cycle, count] of [40, 25, 60].entries()) {
      await appendBatches(rig.logs[0], specs(count, cycle), cycle * 1000);
      await appendBatches(rig.logs[1], specs(count >> 1, cycle + 1), cycle * 1000 + 500);
      const descriptor = (await rig.uploader.cycle(rig.logs.map(sourceOf)))!;
      const body = await rig.objects.get(descriptor.key);
      expect(body.equals(await expectedBody(rig, descriptor)), `object of cycle ${cycle}`).to.equal(true);
      expect(verifyObject(body, descriptor.key).framesCrc32c).to.equal(descriptor.framesCrc32c);
    }
    for (const [p, log] of rig.logs.entries()) {
      expect(log.segmentInfos().length, 'several segments').to.be.greaterThan(3);
      expect(rig.index.endOffset('t', p)).to.equal(log.highWatermark());
      expect(await readBack(rig, p)).to.deep.equal(await walContents(log));
    }
  });

  it('uploads a batch larger than one upload read whole, between small ones', async () => {
    rig = await openRig(1, 64 * 1024 * 1024);
    await appendBatches(rig.logs[0], [{ recordCount: 2, payload: 100 }], 1);
    await appendBatches(rig.logs[0], [{ recordCount: 5, payload: TIER_LIMITS.uploadReadBytes + 4096 }], 2);
    await appendBatches(rig.logs[0], [{ recordCount: 1, payload: 100 }], 3);
    const descriptor = (await rig.uploader.cycle(rig.logs.map(sourceOf)))!;
    expect(descriptor.ranges[0].endOffset).to.equal(8n);
    expect((await rig.objects.get(descriptor.key)).equals(await expectedBody(rig, descriptor))).to.equal(true);
    expect(await readBack(rig, 0)).to.deep.equal(await walContents(rig.logs[0]));
  });

  it('never uploads a frame damaged on disk: that partition stops before it, the others upload', async () => {
    rig = await openRig(2, 1000);
    await appendBatches(rig.logs[0], Array.from({ length: 20 }, () => ({ recordCount: 1, payload: 100 })), 1);
    await appendBatches(rig.logs[1], Array.from({ length: 5 }, () => ({ recordCount: 1, payload: 100 })), 50);
    const frameBytes = FRAME_HEADER_BYTES + 20 + 100;
    const second = rig.logs[0].segmentInfos()[1];
    const handle = await open(second.path, 'r+');
    await handle.write(Buffer.from([0xa5]), 0, 1, frameBytes + 70);
    await handle.close();
    const damagedBase = second.baseOffset + 1n;
    for (let i = 0; i < 2; i++) await rig.uploader.cycle(rig.logs.map(sourceOf));
    const uploadedEnd = rig.index.endOffset('t', 0)!;
    expect(uploadedEnd <= damagedBase, `uploaded to ${uploadedEnd}, damaged frame at ${damagedBase}`).to.equal(true);
    expect(rig.index.endOffset('t', 1)).to.equal(rig.logs[1].highWatermark());
    expect(await readBack(rig, 1)).to.deep.equal(await walContents(rig.logs[1]));
    for (const key of await rig.objects.list('objects/')) verifyObject(await rig.objects.get(key), key);
  });

  it('matches the batch-by-batch builder for any batch sizes and upload points (property)', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ recordCount: fc.integer({ min: 1, max: 6 }), payload: fc.integer({ min: 1, max: 5000 }) }), { minLength: 1, maxLength: 60 }),
      fc.array(fc.integer({ min: 1, max: 59 }), { maxLength: 4 }),
      fc.integer({ min: 700, max: 20_000 }),
      async (specs, cuts, segmentBytes) => {
        const local = await openRig(1, segmentBytes);
        try {
          const points = [...new Set(cuts.filter((c) => c < specs.length))].sort((a, b) => a - b);
          let done = 0;
          for (const point of [...points, specs.length]) {
            await appendBatches(local.logs[0], specs.slice(done, point), done);
            done = point;
            const descriptor = await local.uploader.cycle(local.logs.map(sourceOf));
            if (descriptor) expect((await local.objects.get(descriptor.key)).equals(await expectedBody(local, descriptor))).to.equal(true);
          }
          expect(local.index.endOffset('t', 0)).to.equal(local.logs[0].highWatermark());
          expect(await readBack(local, 0)).to.deep.equal(await walContents(local.logs[0]));
        } finally {
          await local.close();
        }
      },
    ), { numRuns: 15 });
  });
});
