import { expect } from 'chai';
import { decodeMessage, encodeMessage, UnsupportedVersionError } from '../../../src/protocol/kafka/codec';
import { API_SPECS, ApiVersions, Fetch, Metadata } from '../../../src/protocol/kafka/messages';
import { validBounds, type MessageSpec } from '../../../src/protocol/kafka/schema';
import { Reader } from '../../../src/protocol/primitives/reader';
import { Writer } from '../../../src/protocol/primitives/writer';
import { DecodeError, EncodeError } from '../../../src/protocol/primitives/decode-error';
import { sampleMessage } from './support/samples';

const encode = (spec: MessageSpec, version: number, value: object) => encodeMessage(spec, version, value as never, new Writer()).toBuffer();
const decode = (spec: MessageSpec, version: number, bytes: Buffer) => {
  const reader = new Reader(bytes);
  const value = decodeMessage(spec, version, reader);
  expect(reader.remaining(), 'bytes left after decode').to.equal(0);
  return value;
};

describe('Kafka message codec', () => {
  for (const api of API_SPECS) {
    for (const spec of [api.request, api.response]) {
      const { min, max } = validBounds(spec);
      it(`round-trips ${spec.name} v${min}-v${max} and defaults the fields a version lacks`, () => {
        for (let version = min; version <= max; version++) {
          for (const seed of [1, 2, 3]) {
            const { input, expected } = sampleMessage(spec, version, seed);
            const bytes = encode(spec, version, input);
            expect(decode(spec, version, bytes), `${spec.name} v${version} seed ${seed}`).to.deep.equal(expected);
            expect(encode(spec, version, decode(spec, version, bytes))).to.deep.equal(bytes);
          }
        }
      });
    }
  }

  it('writes an ApiVersions v3 response with compact arrays and a trailing empty tag section', () => {
    const bytes = encode(ApiVersions.response, 3, { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }], throttleTimeMs: 0 });
    expect(bytes.toString('hex')).to.equal('0000' + '02' + '0012' + '0000' + '0004' + '00' + '00000000' + '00');
  });

  it('writes tagged fields only when they differ from their default, in tag order', () => {
    const base = { errorCode: 0, apiKeys: [], throttleTimeMs: 0 };
    expect(encode(ApiVersions.response, 3, base).toString('hex')).to.equal('0000' + '01' + '00000000' + '00');
    const tagged = encode(ApiVersions.response, 3, { ...base, zkMigrationReady: true, finalizedFeaturesEpoch: 7n });
    expect(tagged.toString('hex')).to.equal('0000' + '01' + '00000000' + '02' + '0108' + '0000000000000007' + '0301' + '01');
  });

  it('skips unknown tagged fields and rejects tags out of order', () => {
    const unknownTag = Buffer.from('0000' + '01' + '00000000' + '01' + '2a02beef', 'hex');
    expect(decode(ApiVersions.response, 3, unknownTag)).to.include({ errorCode: 0, throttleTimeMs: 0, zkMigrationReady: false });
    const outOfOrder = Buffer.from('0000' + '01' + '00000000' + '02' + '030101' + '010100', 'hex');
    expect(() => decode(ApiVersions.response, 3, outOfOrder)).to.throw(DecodeError);
  });

  it('keeps Metadata v0 "no topics" (all) distinct from v1+ null (all) and [] (none)', () => {
    expect(encode(Metadata.request, 1, { topics: null }).toString('hex')).to.equal('ffffffff');
    expect(encode(Metadata.request, 1, { topics: [] }).toString('hex')).to.equal('00000000');
    expect(() => encode(Metadata.request, 0, { topics: null })).to.throw(EncodeError, /not nullable/);
    expect(decode(Metadata.request, 9, Buffer.from('00' + '00' + '0000' + '00', 'hex'))).to.deep.include({ topics: null, allowAutoTopicCreation: false });
  });

  it('writes records given as stored batches back to back exactly as the same bytes joined, keeping large batches by reference', () => {
    const batches = [Buffer.alloc(3000, 1), Buffer.alloc(70, 2), Buffer.alloc(1500, 3)];
    for (const version of [4, 11, 12, 17]) {
      const response = (records: Buffer | Buffer[]) => ({
        responses: [{ topic: 't', topicId: '00000000-0000-0000-0000-000000000001', partitions: [{ partitionIndex: 0, highWatermark: 3n, records }] }],
      });
      const chunks = encodeMessage(Fetch.response, version, response(batches) as never, new Writer()).chunksOut();
      expect(Buffer.concat(chunks), `v${version}`).to.deep.equal(encode(Fetch.response, version, response(Buffer.concat(batches))));
      expect(chunks.some((c) => c === batches[0]) && chunks.some((c) => c === batches[2]), 'large batches referenced').to.equal(true);
    }
    const empty = encode(Fetch.response, 11, { responses: [{ topic: 't', partitions: [{ partitionIndex: 0, records: [] }] }] });
    const decoded = decode(Fetch.response, 11, empty) as unknown as { responses: Array<{ partitions: Array<{ records: Buffer | null }> }> };
    expect(decoded.responses[0].partitions[0].records).to.deep.equal(Buffer.alloc(0));
  });

  it('rejects versions outside the description and truncated bodies', () => {
    expect(() => encode(ApiVersions.request, 5, {})).to.throw(UnsupportedVersionError);
    const bytes = encode(Metadata.response, 1, sampleMessage(Metadata.response, 1).input);
    for (let cut = 0; cut < bytes.length; cut++) {
      expect(() => decodeMessage(Metadata.response, 1, new Reader(bytes.subarray(0, cut)))).to.throw(DecodeError);
    }
  });
});
