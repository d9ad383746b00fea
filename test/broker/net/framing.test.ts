import { expect } from 'chai';
import { DirectFrameReader } from '../../../src/broker/net/direct-frame-reader';
import { FramingError, splitFrame } from '../../../src/broker/net/framing';

function frame(payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

function framesOf(acc: DirectFrameReader): string[] {
  const out: string[] = [];
  for (let f = acc.next(); f !== null; f = acc.next()) out.push(f.toString());
  return out;
}

/** A 64-byte scratch: the 300-byte request takes the path of requests read into their own buffer. */
const reader = (frameBytesMax = 1000) => new DirectFrameReader(frameBytesMax, 64, frameBytesMax);

describe('Kafka framing', () => {
  const payloads = ['first request', '', 'x'.repeat(300), 'last'].map((s) => Buffer.from(s));
  const stream = Buffer.concat(payloads.map(frame));

  it('returns a frame, then asks for more bytes at the end of the input', () => {
    const first = splitFrame(stream, 1000);
    expect(first.kind).to.equal('frame');
    if (first.kind !== 'frame') return;
    expect(first.frame.toString()).to.equal('first request');
    expect(splitFrame(stream.subarray(0, 3), 1000)).to.deep.equal({ kind: 'need', totalBytes: 4 });
    expect(splitFrame(stream.subarray(0, 10), 1000)).to.deep.equal({ kind: 'need', totalBytes: 17 });
  });

  it('rejects an oversize length prefix from the prefix alone', () => {
    const prefix = Buffer.from([0x7f, 0xff, 0xff, 0xff]);
    expect(splitFrame(prefix, 1000)).to.deep.equal({ kind: 'error', error: { reason: 'too-large', size: 0x7fffffff, frameBytesMax: 1000 } });
  });

  it('rejects a negative length prefix', () => {
    expect(splitFrame(Buffer.from([0xff, 0, 0, 0]), 1000).kind).to.equal('error');
  });

  it('yields the same frames when valid input is cut at every byte boundary', () => {
    const expected = payloads.map(String);
    for (let cut = 0; cut <= stream.length; cut++) {
      const acc = reader();
      acc.push(stream.subarray(0, cut));
      const got = framesOf(acc);
      acc.push(stream.subarray(cut));
      got.push(...framesOf(acc));
      expect(got, `cut at ${cut}`).to.deep.equal(expected);
      expect(acc.bufferedBytes()).to.equal(0);
    }
  });

  it('yields the same frames when input arrives one byte at a time', () => {
    const acc = reader();
    const got: string[] = [];
    for (const byte of stream) {
      acc.push(Buffer.from([byte]));
      got.push(...framesOf(acc));
    }
    expect(got).to.deep.equal(payloads.map(String));
  });

  it('throws a FramingError for a frame over the limit, whatever the chunking', () => {
    const big = frame(Buffer.alloc(2000));
    for (let cut = 0; cut <= 6; cut++) {
      const acc = reader();
      acc.push(big.subarray(0, cut));
      acc.push(big.subarray(cut, 6));
      expect(() => framesOf(acc)).to.throw(FramingError, /2000 bytes exceeds the limit of 1000/);
    }
  });
});
