import { expect } from 'chai';
import { crc32c } from '@node-rs/crc32';

describe('toolchain', () => {
  it('runs TypeScript tests and computes CRC-32C test vectors', () => {
    expect(crc32c(Buffer.from('123456789'))).to.equal(0xe3069283);
  });
});
