import { expect } from 'chai';
import fc from 'fast-check';
import { UnsupportedVersionError } from '../../../src/protocol/kafka/codec';
import { decodeRequest, encodeRequest, UnknownApiKeyError } from '../../../src/protocol/kafka/frames';
import { API_SPECS } from '../../../src/protocol/kafka/messages';
import { validBounds } from '../../../src/protocol/kafka/schema';
import { batchesOf } from '../../../src/protocol/kafka/record-batch';
import { decodeRecordBatch, buildRecordBatch } from '../../../src/protocol/kafka/record-batch-builder';
import { validateProducedBatch } from '../../../src/protocol/kafka/record-batch-validation';
import { DecodeError } from '../../../src/protocol/primitives/decode-error';
import { sampleMessage } from './support/samples';

/** Every valid request frame of every described (api, version), from generated samples. */
const FRAMES: Buffer[] = API_SPECS.flatMap((api) => {
  const { min, max } = validBounds(api.request);
  const frames: Buffer[] = [];
  for (let version = min; version <= max; version++) {
    const { input } = sampleMessage(api.request, version, 3);
    const header = { requestApiKey: api.apiKey, requestApiVersion: version, correlationId: 1, clientId: 'fuzz' };
    frames.push(Buffer.concat(encodeRequest(api, header, input as never)).subarray(4));
  }
  return frames;
});

const typedFailure = (err: unknown) => err instanceof DecodeError || err instanceof UnknownApiKeyError || err instanceof UnsupportedVersionError;

describe('Decoding hostile bytes', () => {
  it('decodes every sample frame it was given', () => {
    for (const frame of FRAMES) expect(() => decodeRequest(frame)).to.not.throw();
  });

  it('answers corrupted request frames with a decoded request or a typed error, never another exception', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: FRAMES.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      fc.nat(),
      (which, flips, cut) => {
        const frame = Buffer.from(FRAMES[which]);
        for (const [at, byte] of flips) frame[at % frame.length] = byte;
        const input = frame.subarray(0, frame.length - (cut % 4));
        try {
          decodeRequest(input);
        } catch (err) {
          if (!typedFailure(err)) throw err;
        }
      },
    ), { numRuns: 3000 });
  });

  it('never throws anything but DecodeError on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        decodeRequest(Buffer.from(bytes));
      } catch (err) {
        if (!typedFailure(err)) throw err;
      }
    }), { numRuns: 3000 });
  });

  it('validates, iterates and decodes corrupted record batches with typed results only', () => {
    const batch = buildRecordBatch({
      baseTimestamp: 1_700_000_000_000n,
      records: [{ key: Buffer.from('k'), value: Buffer.from('v'), headers: [{ key: 'h', value: null }] }, { value: Buffer.alloc(300, 7) }],
    });
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (flips) => {
      const bad = Buffer.from(batch);
      for (const [at, byte] of flips) bad[at % bad.length] = byte;
      const result = validateProducedBatch(bad, { produceVersion: 9 });
      expect(typeof result.ok).to.equal('boolean');
      try {
        [...batchesOf(bad)].forEach((slice) => decodeRecordBatch(slice.bytes));
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
      }
    }), { numRuns: 2000 });
  });
});
