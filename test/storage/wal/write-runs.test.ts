import { expect } from 'chai';
import { encodeFrameHeader, FRAME_HEADER_BYTES } from '../../../src/storage/wal/frame';
import type { OutgoingFrame } from '../../../src/storage/wal/segment';
import { needsRoll, splitAtRolls } from '../../../src/storage/wal/write-runs';

function frames(sizes: number[]): OutgoingFrame[] {
  return sizes.map((size, i) => {
    const batch = Buffer.alloc(size, i);
    return { header: encodeFrameHeader(BigInt(i), batch), batch, baseOffset: BigInt(i), recordCount: 1, maxTimestampMs: 0 };
  });
}

const offsets = (runs: OutgoingFrame[][]) => runs.map((run) => run.map((f) => Number(f.baseOffset)));
const limits = { segmentBytes: 1000, segmentMs: 60_000 };

describe('WAL write runs (where a group meets segment rolls)', () => {
  it('keeps a group that fits the active segment in one run', () => {
    expect(offsets(splitAtRolls(frames([100, 100, 100]), { writtenBytes: 500, createdAtMs: 0 }, limits, 1000))).to.deep.equal([[0, 1, 2]]);
  });

  it('rolls before the first frame that would pass segmentBytes, and again in the new segment', () => {
    const size = 400 - FRAME_HEADER_BYTES;
    expect(offsets(splitAtRolls(frames([size, size, size, size, size]), { writtenBytes: 300, createdAtMs: 0 }, limits, 0))).to.deep.equal([[0], [1, 2], [3, 4]]);
  });

  it('starts with an empty run when the first frame already rolls, and never rolls an empty segment', () => {
    expect(offsets(splitAtRolls(frames([900]), { writtenBytes: 200, createdAtMs: 0 }, limits, 0))).to.deep.equal([[], [0]]);
    expect(offsets(splitAtRolls(frames([5000]), { writtenBytes: 0, createdAtMs: 0 }, limits, 0))).to.deep.equal([[0]]);
  });

  it('rolls a segment older than segmentMs before its next frame, and not the new one', () => {
    expect(offsets(splitAtRolls(frames([10, 10]), { writtenBytes: 100, createdAtMs: 0 }, limits, 60_000))).to.deep.equal([[], [0, 1]]);
  });

  it('says a group needs a roll exactly when splitAtRolls gives it more than one run', () => {
    const size = 400 - FRAME_HEADER_BYTES;
    const cases: [number[], { writtenBytes: number; createdAtMs: number }, number][] = [
      [[100, 100, 100], { writtenBytes: 500, createdAtMs: 0 }, 1000],
      [[size, size, size], { writtenBytes: 300, createdAtMs: 0 }, 0],
      [[900], { writtenBytes: 200, createdAtMs: 0 }, 0],
      [[5000], { writtenBytes: 0, createdAtMs: 0 }, 0],
      [[10, 10], { writtenBytes: 100, createdAtMs: 0 }, 60_000],
      [[10, 10], { writtenBytes: 0, createdAtMs: 0 }, 60_000],
      [[10, 10], { writtenBytes: 100, createdAtMs: 30_000 }, 60_000],
    ];
    const answers = cases.map(([sizes, active, nowMs]) => needsRoll(frames(sizes), active, limits, nowMs));
    expect(answers).to.deep.equal(cases.map(([sizes, active, nowMs]) => splitAtRolls(frames(sizes), active, limits, nowMs).length > 1));
    expect(answers).to.deep.equal([false, true, true, false, true, true, false]);
  });
});
