import { expect } from 'chai';
import { decodeMessage, encodeMessage } from '../../../src/protocol/kafka/codec';
import { API_SPECS } from '../../../src/protocol/kafka/messages';
import { inVersions } from '../../../src/protocol/kafka/schema';
import { Reader } from '../../../src/protocol/primitives/reader';
import { Writer } from '../../../src/protocol/primitives/writer';
import { KAFKAJS_PARAMS, kafkajsRequest, kafkajsResponse, kafkajsVersions } from './support/kafkajs';
import { emptyRecords, missingFrom, ourLeaves, theirLeaves } from './support/leaves';
import { sampleMessage } from './support/samples';

describe('Conformance with kafkajs 2.2.4 encoders and decoders', () => {
  for (const api of API_SPECS) {
    const driver = KAFKAJS_PARAMS[api.name];
    if (!driver) continue;
    const versions = kafkajsVersions(driver.folder).filter((v) => inVersions(api.request.validVersions, v));
    if (versions.length === 0) continue;

    it(`decodes kafkajs ${api.name} requests v${versions.join(',v')} and re-encodes them byte for byte`, async () => {
      for (const version of versions) {
        const request = kafkajsRequest(driver.folder, version, driver.params);
        expect(request.apiKey).to.equal(api.apiKey);
        const bytes = (await request.encode()).buffer;
        const reader = new Reader(bytes);
        const decoded = decodeMessage(api.request, version, reader);
        expect(reader.remaining(), `${api.name} v${version} trailing bytes`).to.equal(0);
        const again = encodeMessage(api.request, version, decoded as never, new Writer()).toBuffer();
        expect(again.toString('hex'), `${api.name} v${version}`).to.equal(bytes.toString('hex'));
      }
    });

    it(`encodes ${api.name} responses v${versions.join(',v')} that kafkajs decodes to the same values`, async () => {
      for (const version of versions) {
        const { input } = sampleMessage(api.response, version, 4);
        emptyRecords(input);
        const bytes = encodeMessage(api.response, version, input as never, new Writer()).toBuffer();
        const decoded = await kafkajsResponse(driver.folder, version).decode(bytes);
        const missing = missingFrom(ourLeaves(api.response.fields, version, false, input), theirLeaves(decoded, ['messages']));
        expect(missing, `${api.name} v${version} values kafkajs did not decode`).to.deep.equal([]);
      }
    });
  }
});
