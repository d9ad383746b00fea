import { expect } from 'chai';
import type { ObjectRange } from '../../../src/storage/tier/object-index';
import { TierIndex } from '../../../src/storage/tier/tier-index';

function range(base: bigint, end: bigint, leaderEpoch: number): ObjectRange {
  return {
    topic: 't', partition: 0, leaderEpoch, baseOffset: base, endOffset: end, maxTimestampMs: 0n, position: 8, bytes: 10,
    blocks: [{ baseOffset: base, endOffset: end, position: 8, bytes: 10, maxTimestampMs: 0n }],
  };
}

let revision = 0n;
function add(index: TierIndex, key: string, r: ObjectRange): void {
  index.add({ key, brokerId: 1, sizeBytes: 100, framesCrc32c: 0, createdAtMs: 0, ranges: [r] }, ++revision);
}

const spans = (index: TierIndex) => index.view('t', 0).map((e) => [e.objectKey, e.from, e.to]);

describe('tier index view', () => {
  it('chains consecutive ranges into one log', () => {
    const index = new TierIndex();
    add(index, 'b', range(10n, 20n, 1));
    add(index, 'a', range(0n, 10n, 1));
    expect(spans(index)).to.deep.equal([['a', 0n, 10n], ['b', 10n, 20n]]);
    expect([index.logStartOffset('t', 0), index.endOffset('t', 0)]).to.deep.equal([0n, 20n]);
  });

  it('lets a newer leader epoch supersede an old owner\'s divergent tail', () => {
    const index = new TierIndex();
    add(index, 'old', range(0n, 100n, 1));
    add(index, 'new', range(50n, 80n, 2));
    expect(spans(index)).to.deep.equal([['old', 0n, 50n], ['new', 50n, 80n]]);
  });

  it('shows a range recorded twice only once', () => {
    const index = new TierIndex();
    add(index, 'first', range(0n, 10n, 1));
    add(index, 'again', range(0n, 10n, 1));
    add(index, 'next', range(10n, 20n, 1));
    expect(spans(index)).to.deep.equal([['again', 0n, 10n], ['next', 10n, 20n]]);
  });

  it('clips ranges recorded before a cut, and later uploads continue from the cut', () => {
    const index = new TierIndex();
    add(index, 'a', range(0n, 10n, 1));
    add(index, 'b', range(10n, 20n, 1));
    index.addCut('t', 0, 5n, ++revision);
    expect(spans(index)).to.deep.equal([['a', 0n, 5n]]);
    add(index, 'c', range(5n, 8n, 1));
    expect(spans(index)).to.deep.equal([['a', 0n, 5n], ['c', 5n, 8n]]);
  });

  it('trims the front at the retention floor and forgets removed objects', () => {
    const index = new TierIndex();
    add(index, 'a', range(0n, 10n, 1));
    add(index, 'b', range(10n, 20n, 1));
    index.setLogStartOffset('t', 0, 15n);
    expect(spans(index)).to.deep.equal([['b', 15n, 20n]]);
    index.remove('b');
    expect(spans(index)).to.deep.equal([]);
    expect(index.entryAt('t', 0, 0n)).to.equal(null);
  });
});

describe('tier index across brokers', () => {
  it('ignores a late creation event of an object it already removed', () => {
    const index = new TierIndex();
    add(index, 'gone', range(0n, 10n, 1));
    index.remove('gone');
    add(index, 'gone', range(0n, 10n, 1));
    expect(spans(index)).to.deep.equal([]);
    index.remove('gone', true);
    expect(spans(index)).to.deep.equal([]);
  });
});
