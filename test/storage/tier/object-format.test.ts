import { expect } from 'chai';
import {
  decodeBlock, decodeFooter, encodeObject, footerLength, OBJECT_TRAILER_BYTES, verifyObject,
} from '../../../src/storage/tier/object-format';
import { TierCorruptError } from '../../../src/storage/tier/tier-errors';
import { upload } from './tier-fixtures';

describe('tier object format', () => {
  it('holds several partitions in one object and maps each to its offsets and bytes', () => {
    const parts = [upload('a', 0, 10n, 5), upload('b', 7, 0n, 3)];
    const { body, index } = encodeObject(parts);
    expect(index.ranges.map((r) => [r.topic, r.partition, r.baseOffset, r.endOffset, r.leaderEpoch])).to.deep.equal([
      ['a', 0, 10n, 25n, 3], ['b', 7, 0n, 9n, 3],
    ]);
    for (const [i, range] of index.ranges.entries()) {
      const batches = range.blocks.flatMap((block) => decodeBlock(body.subarray(block.position, block.position + block.bytes), block, 'test'));
      expect(batches.map((b) => b.batch.toString('hex'))).to.deep.equal(parts[i].batches.map((b) => b.batch.toString('hex')));
      expect(batches.map((b) => [b.baseOffset, b.nextOffset])).to.deep.equal(parts[i].batches.map((b) => [b.baseOffset, b.nextOffset]));
    }
  });

  it('finds its footer from the trailer alone and reads back the same index', () => {
    const { body, index } = encodeObject([upload('t', 1, 0n, 20)]);
    const length = footerLength(body.subarray(body.length - OBJECT_TRAILER_BYTES), 'test');
    expect(decodeFooter(body.subarray(body.length - OBJECT_TRAILER_BYTES - length), 'test')).to.deep.equal(index);
    expect(verifyObject(body, 'test')).to.deep.equal(index);
  });

  it('cuts a range into frame-aligned blocks of about the block size', () => {
    const { body, index } = encodeObject([upload('t', 0, 0n, 100, 1000)], 10_000);
    const blocks = index.ranges[0].blocks;
    expect(blocks.length).to.be.within(9, 11);
    for (let i = 1; i < blocks.length; i++) {
      expect(blocks[i].baseOffset).to.equal(blocks[i - 1].endOffset);
      expect(blocks[i].position).to.equal(blocks[i - 1].position + blocks[i - 1].bytes);
    }
    expect(blocks[blocks.length - 1].endOffset).to.equal(300n);
    expect(verifyObject(body, 'test').ranges[0].blocks).to.have.length(blocks.length);
  });

  it('detects a flipped bit in a batch, in the footer, and a truncated object', () => {
    const { body, index } = encodeObject([upload('t', 0, 0n, 4)]);
    const block = index.ranges[0].blocks[0];
    const flipped = Buffer.from(body);
    flipped[block.position + 40] ^= 1;
    expect(() => decodeBlock(flipped.subarray(block.position, block.position + block.bytes), block, 'x')).to.throw(TierCorruptError, /crc mismatch/);
    const badFooter = Buffer.from(body);
    badFooter[body.length - OBJECT_TRAILER_BYTES - 5] ^= 1;
    expect(() => verifyObject(badFooter, 'x')).to.throw(TierCorruptError, /footer checksum/);
    expect(() => verifyObject(body.subarray(0, body.length - 3), 'x')).to.throw(TierCorruptError, /trailer/);
  });

  it('refuses batches that leave a gap in a partition range', () => {
    const part = upload('t', 0, 0n, 3);
    part.batches[2] = { ...part.batches[2], baseOffset: part.batches[2].baseOffset + 1n };
    expect(() => encodeObject([part])).to.throw(RangeError, /does not follow/);
  });
});
