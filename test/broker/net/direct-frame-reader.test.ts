import { expect } from 'chai';
import fc from 'fast-check';
import { DirectFrameReader } from '../../../src/broker/net/direct-frame-reader';
import { FramingError } from '../../../src/broker/net/framing';

function framed(...bodies: Buffer[]): Buffer {
  return Buffer.concat(bodies.flatMap((b) => {
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(b.length);
    return [prefix, b];
  }));
}

const body = (bytes: number, seed: number) => Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 7 + seed) & 0xff));

/** Feeds `stream` as socket reads of the given sizes into the reader's targets; returns the frames. */
function readAll(reader: DirectFrameReader, stream: Buffer, readSizes: (i: number) => number): Buffer[] {
  const frames: Buffer[] = [];
  let at = 0;
  for (let i = 0; at < stream.length; i++) {
    const into = reader.target();
    expect(into.length, 'a read target is never empty').to.be.greaterThan(0);
    const n = Math.min(into.length, stream.length - at, Math.max(1, readSizes(i)));
    stream.copy(into, 0, at, at + n);
    at += n;
    reader.landed(n);
    for (let f = reader.next(); f !== null; f = reader.next()) frames.push(Buffer.from(f));
  }
  return frames;
}

describe('Direct frame reader', () => {
  const bodies = [body(0, 1), body(5, 2), body(40, 3), body(3, 4), body(100, 5), body(16, 6), body(12, 7)];

  it('yields the same frames, small and larger than its scratch, whatever the read sizes', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }), (sizes) => {
      const frames = readAll(new DirectFrameReader(1 << 20, 16, 1 << 20), framed(...bodies), (i) => sizes[i % sizes.length]);
      expect(frames).to.deep.equal(bodies);
    }), { numRuns: 200 });
  });

  it('yields the same frames when the stream is cut at every byte boundary', () => {
    const stream = framed(...bodies);
    for (let cut = 1; cut < stream.length; cut++) {
      const frames = readAll(new DirectFrameReader(1 << 20, 16, 1 << 20), stream, (i) => (i === 0 ? cut : stream.length));
      expect(frames, `cut at ${cut}`).to.deep.equal(bodies);
    }
  });

  it('reads a frame larger than its scratch into a buffer of its own, not through the scratch', () => {
    const reader = new DirectFrameReader(1 << 20, 16, 1 << 20);
    const big = body(1000, 9);
    const stream = framed(big);
    readAll(reader, stream.subarray(0, 10), () => 10);
    expect(reader.target().length, 'the rest of the frame is the next read target').to.equal(1000 - 6);
    const frames = readAll(reader, stream.subarray(10), () => 1000);
    expect(frames).to.deep.equal([big]);
  });

  it('gives a large frame no more than its upfront size until its bytes arrive, then grows it to the whole frame', () => {
    const big = body(1000, 11);
    const stream = framed(body(3, 1), big, body(2, 2));
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 10 }), (sizes) => {
      const reader = new DirectFrameReader(1 << 20, 16, 64);
      reader.push(stream.subarray(0, 3 + 4 + 4 + 5));
      expect(reader.target().length, 'declared 1000 bytes, 5 arrived: room for 59 more').to.equal(59);
      const frames = [reader.next()!, ...readAll(reader, stream.subarray(16), (i) => sizes[i % sizes.length])];
      expect(frames).to.deep.equal([body(3, 1), big, body(2, 2)]);
    }), { numRuns: 100 });
  });

  it('hands out the frames before an oversize or negative prefix, then throws a FramingError', () => {
    for (const size of [2000, -1]) {
      const reader = new DirectFrameReader(1000, 16, 1000);
      const bad = Buffer.alloc(8);
      bad.writeInt32BE(size);
      const stream = Buffer.concat([framed(body(3, 1), body(20, 2)), bad]);
      const frames: Buffer[] = [];
      reader.push(stream);
      let err: unknown = null;
      try {
        for (let f = reader.next(); f !== null; f = reader.next()) frames.push(f);
      } catch (e) {
        err = e;
      }
      expect(frames).to.deep.equal([body(3, 1), body(20, 2)]);
      expect(err).to.be.instanceOf(FramingError);
    }
  });

  it('takes bytes read before the switch to direct reads through push()', () => {
    const reader = new DirectFrameReader(1 << 20, 16, 1 << 20);
    const stream = framed(...bodies);
    reader.push(stream.subarray(0, 30));
    const frames: Buffer[] = [];
    for (let f = reader.next(); f !== null; f = reader.next()) frames.push(Buffer.from(f));
    frames.push(...readAll(reader, stream.subarray(30), () => 7));
    expect(frames).to.deep.equal(bodies);
  });
});
