import { expect } from 'chai';
import { Reader } from '../../../src/protocol/primitives/reader';
import { Writer } from '../../../src/protocol/primitives/writer';
import { DecodeError } from '../../../src/protocol/primitives/decode-error';

const bytes = (...values: number[]) => Buffer.from(values);

describe('Reader and Writer', () => {
  it('encode unsigned varints as LEB128 at the 7-bit boundaries', () => {
    const cases: Array<[number, number[]]> = [
      [0, [0]], [1, [1]], [127, [0x7f]], [128, [0x80, 0x01]], [16383, [0xff, 0x7f]], [16384, [0x80, 0x80, 0x01]],
      [0xffffffff, [0xff, 0xff, 0xff, 0xff, 0x0f]],
    ];
    for (const [value, wire] of cases) {
      expect(new Writer().writeUnsignedVarInt(value).toBuffer()).to.deep.equal(bytes(...wire));
      expect(new Reader(bytes(...wire)).readUnsignedVarInt()).to.equal(value);
    }
  });

  it('zigzag-encode signed varints (0,-1,1,-2 -> 0,1,2,3) up to the int32 extremes', () => {
    const cases: Array<[number, number[]]> = [
      [0, [0]], [-1, [1]], [1, [2]], [-2, [3]], [-64, [0x7f]], [64, [0x80, 0x01]],
      [2147483647, [0xfe, 0xff, 0xff, 0xff, 0x0f]], [-2147483648, [0xff, 0xff, 0xff, 0xff, 0x0f]],
    ];
    for (const [value, wire] of cases) {
      expect(new Writer().writeVarInt(value).toBuffer()).to.deep.equal(bytes(...wire));
      expect(new Reader(bytes(...wire)).readVarInt()).to.equal(value);
    }
  });

  it('zigzag-encode varlongs up to the int64 extremes', () => {
    for (const value of [0n, -1n, 1n, 1234567890123n, -(2n ** 63n), 2n ** 63n - 1n]) {
      const wire = new Writer().writeVarLong(value).toBuffer();
      expect(new Reader(wire).readVarLong()).to.equal(value);
    }
    expect(new Writer().writeVarLong(-(2n ** 63n)).toBuffer()).to.deep.equal(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01));
  });

  it('reject varints that are too long or overflow', () => {
    expect(() => new Reader(bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x01)).readUnsignedVarInt()).to.throw(DecodeError);
    expect(() => new Reader(bytes(0xff, 0xff, 0xff, 0xff, 0x1f)).readUnsignedVarInt()).to.throw(DecodeError);
    expect(() => new Reader(bytes(0x80)).readUnsignedVarInt()).to.throw(DecodeError);
    expect(() => new Reader(Buffer.alloc(11, 0x80)).readVarLong()).to.throw(DecodeError);
  });

  it('round-trip every fixed-width type, int64 as bigint', () => {
    const w = new Writer().writeInt8(-5).writeInt16(-300).writeUInt16(65535).writeInt32(-70000).writeUInt32(0xfffffffe)
      .writeInt64(-(2n ** 63n)).writeFloat64(0.25).writeBoolean(true).writeUuid('0123abcd-4567-89ef-0123-456789abcdef');
    const r = new Reader(w.toBuffer());
    expect([r.readInt8(), r.readInt16(), r.readUInt16(), r.readInt32(), r.readUInt32()]).to.deep.equal([-5, -300, 65535, -70000, 0xfffffffe]);
    expect(r.readInt64()).to.equal(-(2n ** 63n));
    expect(r.readFloat64()).to.equal(0.25);
    expect(r.readBoolean()).to.equal(true);
    expect(r.readUuid()).to.equal('0123abcd-4567-89ef-0123-456789abcdef');
    expect(r.remaining()).to.equal(0);
  });

  it('distinguish null from empty in classic and compact strings and bytes', () => {
    const w = new Writer().writeNullableString(null).writeString('').writeCompactNullableString(null).writeCompactString('é')
      .writeNullableBytes(null).writeBytes(Buffer.alloc(0)).writeCompactNullableBytes(null).writeCompactBytes(bytes(1, 2));
    expect(w.toBuffer()).to.deep.equal(bytes(0xff, 0xff, 0, 0, 0, 3, 0xc3, 0xa9, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 3, 1, 2));
    const r = new Reader(w.toBuffer());
    expect([r.readNullableString(), r.readString(), r.readCompactNullableString(), r.readCompactString()]).to.deep.equal([null, '', null, 'é']);
    expect(r.readNullableBytes()).to.equal(null);
    expect(r.readBytes().length).to.equal(0);
    expect(r.readCompactNullableBytes()).to.equal(null);
    expect(r.readCompactBytes()).to.deep.equal(bytes(1, 2));
  });

  it('fail with a DecodeError on every truncated or impossible read', () => {
    expect(() => new Reader(bytes(0)).readInt16()).to.throw(DecodeError);
    expect(() => new Reader(bytes(0, 5, 0x61)).readString()).to.throw(DecodeError, /exceeds/);
    expect(() => new Reader(bytes(0xff, 0xfe)).readString()).to.throw(DecodeError, /negative/);
    expect(() => new Reader(bytes(0, 0, 0, 9)).readArrayLength()).to.throw(DecodeError);
    expect(() => new Reader(bytes(0xff, 0xff, 0xff, 0xff)).readArrayLength()).to.throw(DecodeError);
    expect(new Reader(bytes(0xff, 0xff, 0xff, 0xff)).readNullableArrayLength()).to.equal(null);
    expect(() => new Reader(bytes(0)).readCompactString()).to.throw(DecodeError);
    expect(() => new Reader(bytes(0, 2, 0xc3, 0x28)).readString()).to.throw(DecodeError, /UTF-8/);
    expect(() => new Reader(bytes(1, 2, 3)).readUuid()).to.throw(DecodeError);
  });

  it('read ASCII, multi-byte UTF-8 and long strings the same as a UTF-8 decoder, and reject invalid UTF-8 at any length', () => {
    const samples = ['rdkafka', 'topic-ä-名前', 'x'.repeat(64), 'y'.repeat(65), 'z'.repeat(63) + 'é', '\u007f'];
    for (const text of samples) {
      const w = new Writer();
      w.writeString(text).writeCompactString(text);
      const r = new Reader(w.toBuffer());
      expect(r.readString()).to.equal(text);
      expect(r.readCompactString()).to.equal(text);
    }
    const invalid = (n: number) => Buffer.concat([bytes(0, n), Buffer.alloc(n - 1, 0x61), bytes(0xff)]);
    expect(() => new Reader(invalid(10)).readString()).to.throw(DecodeError, /UTF-8/);
    expect(() => new Reader(invalid(200)).readString()).to.throw(DecodeError, /UTF-8/);
  });

  it('grow across many fields and keep large byte fields by reference', () => {
    const big = Buffer.alloc(64 * 1024, 7);
    const w = new Writer(16);
    for (let i = 0; i < 1000; i++) w.writeInt32(i);
    w.writeBytes(big).writeInt16(9);
    expect(w.length).to.equal(4000 + 4 + big.length + 2);
    const frame = w.toFrame();
    expect(frame).to.include(big);
    const whole = Buffer.concat(frame);
    expect(whole.readInt32BE(0)).to.equal(w.length);
    const r = new Reader(whole, 4);
    for (let i = 0; i < 1000; i++) expect(r.readInt32()).to.equal(i);
    expect(r.readBytes()).to.deep.equal(big);
    expect(r.readInt16()).to.equal(9);
  });
});
