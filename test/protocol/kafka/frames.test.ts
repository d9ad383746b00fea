import { expect } from 'chai';
import { UnsupportedVersionError } from '../../../src/protocol/kafka/codec';
import {
  decodeRequest, decodeResponse, encodeRequest, encodeResponse, encodeUnsupportedApiVersionsResponse,
  isUnsupportedApiVersionsRequest, UnknownApiKeyError,
} from '../../../src/protocol/kafka/frames';
import { requestHeaderVersion, responseHeaderVersion } from '../../../src/protocol/kafka/header';
import { ApiVersions, Fetch, Metadata, Produce } from '../../../src/protocol/kafka/messages';
import { ErrorCode } from '../../../src/protocol/kafka/error-codes';
import { DecodeError } from '../../../src/protocol/primitives/decode-error';
import { kafkajsRequest, kafkajsResponse } from './support/kafkajs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsFrame = require('kafkajs/src/protocol/request') as (r: object) => Promise<{ buffer: Buffer }>;

const withoutSize = (chunks: Buffer[]) => {
  const frame = Buffer.concat(chunks);
  expect(frame.readInt32BE(0)).to.equal(frame.length - 4);
  return frame.subarray(4);
};

describe('Kafka request and response frames', () => {
  it('decode a whole kafkajs request (header v1 with client id, then the body)', async () => {
    const request = kafkajsRequest('metadata', 4, { topics: ['orders'], allowAutoTopicCreation: false });
    const frame = (await kafkajsFrame({ correlationId: 77, clientId: 'my-app', request })).buffer.subarray(4);
    const { header, api, body } = decodeRequest(frame);
    expect(header).to.deep.equal({ requestApiKey: 3, requestApiVersion: 4, correlationId: 77, clientId: 'my-app' });
    expect(api).to.equal(Metadata);
    expect(body).to.deep.include({ allowAutoTopicCreation: false });
    expect(body.topics).to.deep.equal([{ name: 'orders', topicId: '00000000-0000-0000-0000-000000000000' }]);
  });

  it('read a flexible request header v2: classic nullable client id, then tagged fields (librdkafka ApiVersions v3)', () => {
    const frame = Buffer.from(
      '0012' + '0003' + '00000001' + '0007' + Buffer.from('rdkafka').toString('hex') + '00'
      + '0b' + Buffer.from('librdkafka').toString('hex') + '06' + Buffer.from('2.0.2').toString('hex') + '00', 'hex');
    const { header, body } = decodeRequest(frame);
    expect(header).to.deep.equal({ requestApiKey: 18, requestApiVersion: 3, correlationId: 1, clientId: 'rdkafka' });
    expect(body).to.deep.equal({ clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' });
  });

  it('pick header versions from flexibleVersions, with the ApiVersions response header always v0 (KIP-511)', () => {
    expect([requestHeaderVersion(3, 8), requestHeaderVersion(3, 9), requestHeaderVersion(18, 3), requestHeaderVersion(999, 0)]).to.deep.equal([1, 2, 2, null]);
    expect([responseHeaderVersion(3, 8), responseHeaderVersion(3, 9), responseHeaderVersion(18, 3), responseHeaderVersion(1, 12)]).to.deep.equal([0, 1, 0, 1]);
    const apiVersionsV3 = withoutSize(encodeResponse(ApiVersions, 3, 5, { apiKeys: [] }));
    expect(apiVersionsV3.subarray(0, 6).toString('hex')).to.equal('00000005' + '0000');
    const metadataV9 = withoutSize(encodeResponse(Metadata, 9, 5, {}));
    expect(metadataV9.subarray(0, 5).toString('hex')).to.equal('00000005' + '00');
  });

  it('answer an ApiVersions request of an unknown version with error 35 in a v0 body kafkajs can read', async () => {
    const frame = Buffer.from('0012' + '0009' + '0000002a' + 'ffff' + '00' + '0102030405', 'hex');
    let caught: unknown;
    try {
      decodeRequest(frame);
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(UnsupportedVersionError);
    expect(isUnsupportedApiVersionsRequest(caught)).to.equal(true);
    const correlationId = (caught as UnsupportedVersionError).header!.correlationId;
    const reply = withoutSize(encodeUnsupportedApiVersionsResponse(correlationId, [{ apiKey: 18, minVersion: 0, maxVersion: 4 }]));
    expect(reply.readInt32BE(0)).to.equal(42);
    // kafkajs reads error 35 from the v0 body and falls back to a lower version.
    const kafkajsError = await kafkajsResponse('apiVersions', 0).decode(reply.subarray(4)).then(() => null, (e: { type: string }) => e);
    expect(kafkajsError).to.include({ type: 'UNSUPPORTED_VERSION' });
    const { body } = decodeResponse(ApiVersions, 0, reply);
    expect(body).to.deep.equal({ errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }], throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1n, finalizedFeatures: [], zkMigrationReady: false });
  });

  it('reject an unknown api key and a Metadata version beyond the description', () => {
    expect(() => decodeRequest(Buffer.from('03e7' + '0000' + '00000001' + 'ffff', 'hex'))).to.throw(UnknownApiKeyError);
    const err = (() => { try { decodeRequest(Buffer.from('0003' + '000d' + '00000001' + 'ffff' + '00', 'hex')); } catch (e) { return e; } })();
    expect(err).to.be.instanceOf(UnsupportedVersionError);
    expect(isUnsupportedApiVersionsRequest(err)).to.equal(false);
  });

  it('fail with a DecodeError, and nothing else, when a request is cut at any byte', () => {
    const frame = withoutSize(encodeRequest(Fetch, { requestApiKey: 1, requestApiVersion: 13, correlationId: 9, clientId: 'c' }, {
      maxWaitMs: 500, minBytes: 1, topics: [{ topicId: '0123abcd-4567-89ef-0123-456789abcdef', partitions: [{ partition: 0, fetchOffset: 5n, partitionMaxBytes: 100 }] }],
    }));
    expect(decodeRequest(frame).body).to.deep.include({ maxWaitMs: 500 });
    for (let cut = 0; cut < frame.length; cut++) {
      expect(() => decodeRequest(frame.subarray(0, cut)), `cut at ${cut}`).to.throw(DecodeError);
    }
  });

  it('round-trip a produce request and response through whole frames', () => {
    const records = Buffer.alloc(2000, 1);
    const request = withoutSize(encodeRequest(Produce, { requestApiKey: 0, requestApiVersion: 9, correlationId: 3, clientId: null }, {
      acks: -1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }],
    }));
    const { body } = decodeRequest(request);
    expect((body.topicData as Array<{ partitionData: Array<{ records: Buffer }> }>)[0].partitionData[0].records.equals(records)).to.equal(true);
    const response = withoutSize(encodeResponse(Produce, 9, 3, {
      responses: [{ name: 't', partitionResponses: [{ index: 0, baseOffset: 10n }] }], throttleTimeMs: 0,
    }));
    const { correlationId, body: decoded } = decodeResponse(Produce, 9, response);
    expect(correlationId).to.equal(3);
    expect(decoded.responses[0].partitionResponses[0]).to.deep.include({ baseOffset: 10n, logAppendTimeMs: -1n, logStartOffset: -1n, errorMessage: null });
  });
});
