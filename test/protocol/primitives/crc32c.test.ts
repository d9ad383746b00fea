import { expect } from 'chai';
import fc from 'fast-check';
import { crc32c as nodeRsCrc32c } from '@node-rs/crc32';
import { crc32c, loadSse42Crc32c } from '../../../src/protocol/primitives/crc32c';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const tableCrc32c: { buf(data: Uint8Array): number } = require('crc-32/crc32c');

describe('CRC-32C', () => {
  it('gives the RFC 3720 check value 0xE3069283 for "123456789"', () => {
    expect(crc32c(Buffer.from('123456789'))).to.equal(0xe3069283);
  });

  it('agrees with the table-driven reference at every size around the native threshold and at batch sizes', () => {
    const sizes = [0, 1, 63, 64, 255, 256, 257, 1023, 1024, 4097, 65_536 + 3, 1_048_576];
    for (const size of sizes) {
      const data = Buffer.alloc(size);
      for (let i = 0; i < size; i++) data[i] = (i * 131 + 17) & 0xff;
      expect(crc32c(data), `${size} bytes`).to.equal(tableCrc32c.buf(data) >>> 0);
    }
  });

  it('agrees with @node-rs/crc32 on arbitrary bytes, including unaligned views', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(7), (bytes, skip) => {
      const view = Buffer.from(bytes).subarray(Math.min(skip, bytes.length));
      return crc32c(view) === nodeRsCrc32c(view) >>> 0;
    }), { numRuns: 300 });
  });

  it('uses the SSE 4.2 module, when it loads, with the same results as the reference', function () {
    const sse42 = loadSse42Crc32c();
    if (sse42 === null) this.skip();
    const data = Buffer.alloc(100_003);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) & 0xff;
    expect(sse42(data)).to.equal(tableCrc32c.buf(data) >>> 0);
    expect(sse42(data.subarray(5))).to.equal(tableCrc32c.buf(data.subarray(5)) >>> 0);
  });
});
