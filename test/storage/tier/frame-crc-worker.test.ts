/**
 * The tier checks the CRCs of the frames it uploads in a worker thread, in the object buffer
 * it shares with it: the check must find what the WAL's inline check finds, and a failing
 * worker must fail the check clearly, never hang it.
 */
import { expect } from 'chai';
import { TIER_LIMITS } from '../../../src/limits';
import { FrameCrcWorker } from '../../../src/storage/tier/frame-crc-worker';
import { encodeFrameHeader, FRAME_HEADER_BYTES } from '../../../src/storage/wal/frame';

/** Frames of `sizes` batch bytes back to back in shared memory, and their [position, frameBytes] list. */
function sharedFrames(sizes: number[]): { memory: SharedArrayBuffer; bytes: Buffer; list: number[] } {
  const total = sizes.reduce((sum, n) => sum + FRAME_HEADER_BYTES + n, 0);
  const memory = new SharedArrayBuffer(total + 64);
  const bytes = Buffer.from(memory);
  const list: number[] = [];
  let pos = 0;
  for (const [i, size] of sizes.entries()) {
    const batch = Buffer.alloc(size, i + 1);
    encodeFrameHeader(BigInt(i * 10), batch).copy(bytes, pos);
    batch.copy(bytes, pos + FRAME_HEADER_BYTES);
    list.push(pos, FRAME_HEADER_BYTES + size);
    pos += FRAME_HEADER_BYTES + size;
  }
  return { memory, bytes, list };
}

describe('frame CRC checks in a worker thread', () => {
  let worker: FrameCrcWorker;
  beforeEach(() => {
    worker = new FrameCrcWorker();
  });
  afterEach(async () => {
    await worker.close();
  });

  it('passes frames whose CRCs match and reports the first damaged frame, in a batch byte or a header byte', async () => {
    const { memory, bytes, list } = sharedFrames([100, 5000, 1, 70_000, 300]);
    expect(await worker.check(memory, Uint32Array.from(list))).to.equal(null);
    bytes[list[6] + FRAME_HEADER_BYTES + 12_345] ^= 0x01;
    const mismatch = await worker.check(memory, Uint32Array.from(list));
    expect(mismatch?.position).to.equal(list[6]);
    expect(mismatch?.stored).to.equal(bytes.readUInt32BE(list[6] + 12));
    bytes[list[6] + FRAME_HEADER_BYTES + 12_345] ^= 0x01;
    bytes[list[2] + 3] ^= 0x80;
    expect((await worker.check(memory, Uint32Array.from(list)))?.position).to.equal(list[2]);
  });

  it('fails a check with a clear error when the worker fails, and the next check runs in a new worker', async () => {
    const { memory, list } = sharedFrames([100, 200]);
    const outside = Uint32Array.from([...list, memory.byteLength - 10, 100]);
    const error = await worker.check(memory, outside).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.match(/frame CRC worker failed: .*outside the \d+-byte object buffer/);
    expect(await worker.check(memory, Uint32Array.from(list))).to.equal(null);
  });

  it('runs checks in flight up to its limit, and refuses checks after close', async () => {
    const { memory, list } = sharedFrames([1000, 1000]);
    const checks = Array.from({ length: TIER_LIMITS.frameCrcChecksPendingMax }, () => worker.check(memory, Uint32Array.from(list)));
    expect(worker.hasRoom).to.equal(false);
    expect(await Promise.all(checks)).to.deep.equal(checks.map(() => null));
    expect(worker.hasRoom).to.equal(true);
    await worker.close();
    expect(worker.hasRoom).to.equal(false);
    const error = await worker.check(memory, Uint32Array.from(list)).catch((e: unknown) => e);
    expect((error as Error).message).to.match(/closed/);
  });
});
