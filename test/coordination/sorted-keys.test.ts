import { expect } from 'chai';
import fc from 'fast-check';
import { compareUtf8, SortedKeys } from '../../src/coordination/embedded/sorted-keys';

const sign = (n: number) => Math.sign(n);

describe('Embedded store key order', () => {
  it('orders strings exactly as their UTF-8 bytes, past U+FFFF included', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) =>
      sign(compareUtf8(a, b)) === sign(Buffer.compare(Buffer.from(a), Buffer.from(b)))), { numRuns: 2000 });
    expect(sign(compareUtf8('\u{1F600}', '\uFFFD'))).to.equal(1);
  });

  it('lists the keys under a prefix in byte order after any adds and removes', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.string({ maxLength: 4 }))), fc.string({ maxLength: 2 }), (ops, prefix) => {
      const index = new SortedKeys();
      const model = new Set<string>();
      for (const [add, key] of ops) {
        if (add) { index.add(key); model.add(key); } else { index.remove(key); model.delete(key); }
      }
      const expected = [...model].filter((key) => key.startsWith(prefix))
        .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      expect(index.withPrefix(prefix)).to.deep.equal(expected);
    }), { numRuns: 500 });
  });

  it('keeps order across many blocks as keys are added in any order, removed and reloaded', () => {
    const index = new SortedKeys();
    const keys = Array.from({ length: 5000 }, (_, i) => `/k/${(i * 7919) % 5000}/${i % 3}`);
    for (const key of keys) index.add(key);
    for (const key of keys.filter((_, i) => i % 4 === 0)) index.remove(key);
    const expected = keys.filter((_, i) => i % 4 !== 0).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(index.withPrefix('/k/')).to.deep.equal(expected);
    expect(index.withPrefix('/k/12')).to.deep.equal(expected.filter((key) => key.startsWith('/k/12')));
    const reloaded = new SortedKeys();
    reloaded.reset([...expected].reverse());
    reloaded.add('/k/0/9');
    expect(reloaded.withPrefix('/k/')).to.deep.equal([...expected, '/k/0/9'].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  });
});
