import { expect } from 'chai';
import CRC32 from 'crc-32';
import { decodeFrame, encodeFrameHeader, FRAME_HEADER_BYTES } from '../../../src/storage/wal/frame';
import { patternBytes } from '../support/test-batch-format';

function frame(baseOffset: bigint, batch: Buffer): Buffer {
  return Buffer.concat([encodeFrameHeader(baseOffset, batch), batch]);
}

describe('WAL frames', () => {
  it('lay out [u64 baseOffset][u32 length][u32 crc32][batch] with the IEEE CRC-32 of the crc-32 package', () => {
    const batch = patternBytes(1000, 3);
    const f = frame(42n, batch);
    expect(f.readBigUInt64BE(0)).to.equal(42n);
    expect(f.readUInt32BE(8)).to.equal(1000);
    const covered = Buffer.concat([f.subarray(0, 12), batch]);
    expect(f.readUInt32BE(12)).to.equal(CRC32.buf(covered) >>> 0);
    expect(f.subarray(FRAME_HEADER_BYTES).equals(batch)).to.equal(true);
  });

  it('decodes a frame whole and asks for more bytes at every shorter cut', () => {
    const f = frame(7n, patternBytes(100, 1));
    for (let cut = 0; cut < f.length; cut++) {
      expect(decodeFrame(f.subarray(0, cut), 0).kind, `cut at ${cut}`).to.equal('need-more');
    }
    const whole = decodeFrame(f, 0);
    expect(whole.kind).to.equal('frame');
    if (whole.kind === 'frame') expect([whole.baseOffset, whole.frameBytes]).to.deep.equal([7n, f.length]);
  });

  it('reports any flipped byte as bad', () => {
    const f = frame(7n, patternBytes(40, 1));
    for (let i = 0; i < f.length; i++) {
      const damaged = Buffer.from(f);
      damaged[i] ^= 0x01;
      expect(decodeFrame(damaged, 0).kind, `byte ${i}`).to.be.oneOf(['bad', 'need-more']);
      expect(decodeFrame(Buffer.concat([damaged, Buffer.alloc(70_000)]), 0).kind, `byte ${i}`).to.equal('bad');
    }
  });

  it('rejects a zero or oversize length before buffering the frame', () => {
    const header = encodeFrameHeader(0n, Buffer.alloc(1));
    header.writeUInt32BE(0xffffffff, 8);
    expect(decodeFrame(header, 0).kind).to.equal('bad');
    header.writeUInt32BE(0, 8);
    expect(decodeFrame(header, 0).kind).to.equal('bad');
  });
});
