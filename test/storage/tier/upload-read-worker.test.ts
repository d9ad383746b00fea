/**
 * The upload read worker preads WAL bytes into the object's shared memory and checks every
 * frame there, in a thread at a lower priority. Its answers must be decodeFrame's (frame.ts),
 * frame by frame, or a damaged frame could be uploaded.
 */
import { expect } from 'chai';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STORAGE_LIMITS } from '../../../src/limits';
import { isStorageError } from '../../../src/storage/errors';
import { threadNice } from '../../../src/storage/tier/runtime-thread-priority';
import { UploadReadWorker } from '../../../src/storage/tier/upload-read-worker';
import { decodeFrame, encodeFrameHeader, FRAME_HEADER_BYTES } from '../../../src/storage/wal/frame';
import type { FramesReadReply } from '../../../src/storage/wal/raw-frame-read';

function frame(base: bigint, payload: number, seed: number): Buffer {
  const batch = Buffer.alloc(payload, seed);
  return Buffer.concat([encodeFrameHeader(base, batch), batch]);
}

/** What decodeFrame says of `bytes`, frame after frame, in the worker's reply shape. */
function decodeFrameSays(bytes: Buffer): Pick<FramesReadReply, 'frameBytes' | 'stop'> {
  const frameBytes: number[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const result = decodeFrame(bytes, pos);
    if (result.kind === 'bad') return { frameBytes, stop: { kind: 'bad', at: pos, reason: result.reason } };
    if (result.kind === 'need-more') return { frameBytes, stop: { kind: 'need-more', at: pos, bytesNeeded: result.bytesNeeded } };
    frameBytes.push(result.frameBytes);
    pos += result.frameBytes;
  }
  return { frameBytes, stop: null };
}

describe('the upload read worker', () => {
  let dir: string;
  let worker: UploadReadWorker;
  const fds: number[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-upload-read-worker-'));
    worker = new UploadReadWorker(10);
  });
  afterEach(async () => {
    await worker.close();
    for (const fd of fds.splice(0)) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });

  function fileOf(bytes: Buffer): number {
    const path = join(dir, `f${fds.length}`);
    writeFileSync(path, bytes);
    const fd = openSync(path, 'r');
    fds.push(fd);
    return fd;
  }

  const good = [frame(0n, 100, 1), frame(3n, 4000, 2), frame(9n, 1, 3)];
  const damagedCrc = frame(10n, 300, 4);
  damagedCrc[FRAME_HEADER_BYTES + 150] ^= 0x5a;
  const zeroLength = Buffer.alloc(FRAME_HEADER_BYTES);
  const tooLong = Buffer.alloc(FRAME_HEADER_BYTES);
  tooLong.writeUInt32BE(STORAGE_LIMITS.batchBytesMax + 1, 8);
  const cases: Array<[string, Buffer]> = [
    ['whole frames only', Buffer.concat(good)],
    ['a frame whose batch does not match its CRC', Buffer.concat([...good, damagedCrc, frame(11n, 10, 5)])],
    ['a frame whose header was garbled (CRC over the 12 header bytes)', Buffer.concat([good[0], Buffer.from(good[1]).fill(0x7f, 0, 1)])],
    ['a length of zero', Buffer.concat([good[0], zeroLength])],
    ['a length over the batch limit', Buffer.concat([good[0], tooLong])],
    ['a frame cut short', Buffer.concat([good[0], good[1].subarray(0, 2000)])],
    ['a header cut short', Buffer.concat([good[0], good[1].subarray(0, 9)])],
    ['nothing but a partial header', good[0].subarray(0, 5)],
  ];
  for (const [name, bytes] of cases) {
    it(`answers as decodeFrame does for ${name}`, async () => {
      const memory = new SharedArrayBuffer(bytes.length + 64);
      const reply = await worker.read({ fd: fileOf(bytes), filePos: 0, length: bytes.length, memory, memoryPos: 32 });
      expect(reply.bytesRead).to.equal(bytes.length);
      expect({ frameBytes: reply.frameBytes, stop: reply.stop }).to.deep.equal(decodeFrameSays(bytes));
    });
  }

  it('preads from the file position given into the shared memory at the position given, and nowhere else', async () => {
    const bytes = Buffer.concat([Buffer.alloc(777, 0x11), ...good]);
    const memory = new SharedArrayBuffer(bytes.length + 1000);
    const view = Buffer.from(memory).fill(0xee);
    const length = bytes.length - 777;
    const reply = await worker.read({ fd: fileOf(bytes), filePos: 777, length, memory, memoryPos: 500 });
    expect(reply.frameBytes).to.deep.equal(good.map((f) => f.length));
    expect(view.subarray(500, 500 + length).equals(bytes.subarray(777))).to.equal(true);
    expect(view[499]).to.equal(0xee);
    expect(view[500 + length]).to.equal(0xee);
  });

  it('stops at the end of the file (fewer bytes read than asked)', async () => {
    const bytes = Buffer.concat(good);
    const reply = await worker.read({ fd: fileOf(bytes), filePos: 0, length: bytes.length + 4096, memory: new SharedArrayBuffer(bytes.length + 4096), memoryPos: 0 });
    expect(reply.bytesRead).to.equal(bytes.length);
    expect(reply.stop).to.equal(null);
  });

  it('runs at the nice value it was given while the event loop keeps its own (Linux)', async function () {
    const mainNice = threadNice(process.pid);
    if (mainNice === null) this.skip();
    const bytes = Buffer.concat(good);
    await worker.read({ fd: fileOf(bytes), filePos: 0, length: bytes.length, memory: new SharedArrayBuffer(bytes.length), memoryPos: 0 });
    expect(worker.thread?.niceError).to.equal(null);
    expect(worker.thread?.tid).to.be.a('number').and.not.equal(process.pid);
    expect(threadNice(worker.thread!.tid!)).to.equal(Math.max(10, mainNice!));
    expect(threadNice(process.pid)).to.equal(mainNice);
  });

  it('fails a read of a bad descriptor with STORAGE_IO naming the cause, and serves the next one', async () => {
    const bytes = Buffer.concat(good);
    const fd = fileOf(bytes);
    const memory = new SharedArrayBuffer(bytes.length);
    const error = await worker.read({ fd: 1 << 20, filePos: 0, length: bytes.length, memory, memoryPos: 0 }).catch((e: unknown) => e);
    expect(isStorageError(error, 'STORAGE_IO')).to.equal(true);
    expect(((error as Error).cause as NodeJS.ErrnoException).code).to.equal('EBADF');
    expect((await worker.read({ fd, filePos: 0, length: bytes.length, memory, memoryPos: 0 })).frameBytes).to.have.length(3);
  });

  it('refuses a read that would land outside the shared memory', async () => {
    const bytes = Buffer.concat(good);
    const error = await worker.read({ fd: fileOf(bytes), filePos: 0, length: bytes.length, memory: new SharedArrayBuffer(100), memoryPos: 0 }).catch((e: unknown) => e);
    expect(isStorageError(error, 'STORAGE_IO')).to.equal(true);
    expect((error as Error).message).to.match(/outside the 100-byte object buffer/);
  });

  it('once closed, fails reads with LOG_CLOSED', async () => {
    await worker.close();
    const error = await worker.read({ fd: 0, filePos: 0, length: 1, memory: new SharedArrayBuffer(1), memoryPos: 0 }).catch((e: unknown) => e);
    expect(isStorageError(error, 'LOG_CLOSED')).to.equal(true);
  });
});
