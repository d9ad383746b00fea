import { expect } from 'chai';
import { decodeMessage, encodeMessage } from '../../../src/protocol/kafka/codec';
import { API_SPECS } from '../../../src/protocol/kafka/messages';
import { inVersions, type FieldSpec } from '../../../src/protocol/kafka/schema';
import { Reader } from '../../../src/protocol/primitives/reader';
import { Writer } from '../../../src/protocol/primitives/writer';
import { KAFKAJS_PARAMS, kafkajsRequest, kafkajsResponse, kafkajsVersions } from './support/kafkajs';
import { sampleMessage } from './support/samples';

/** Every scalar a struct carries in a version, as strings (kafkajs returns int64 as strings). */
function ourLeaves(fields: readonly FieldSpec[], version: number, value: Record<string, unknown>, out: string[] = []): string[] {
  for (const field of fields) {
    if (!inVersions(field.versions, version) || field.type === 'records') continue;
    const v = value[field.name];
    const items = Array.isArray(v) ? v : [v];
    for (const item of items) {
      if (item === null || item === undefined) continue;
      if (field.fields) ourLeaves(field.fields, version, item as Record<string, unknown>, out);
      else out.push(Buffer.isBuffer(item) ? `b:${item.toString('hex')}` : String(item));
    }
  }
  return out;
}

function theirLeaves(value: unknown, out: string[] = []): string[] {
  if (value === null || value === undefined) return out;
  if (Buffer.isBuffer(value)) out.push(`b:${value.toString('hex')}`);
  else if (Array.isArray(value)) value.forEach((v) => theirLeaves(v, out));
  else if (typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) if (key !== 'messages') theirLeaves(v, out);
  } else out.push(String(value));
  return out;
}

/** kafkajs decodes record batches into messages; response samples carry an empty record set. */
function emptyRecords(value: unknown): void {
  if (Array.isArray(value)) value.forEach(emptyRecords);
  else if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (key === 'records') record[key] = Buffer.alloc(0);
      else emptyRecords(record[key]);
    }
  }
}

function missingFrom(expected: string[], actual: string[]): string[] {
  const pool = [...actual];
  return expected.filter((leaf) => {
    const at = pool.indexOf(leaf);
    if (at === -1) return true;
    pool.splice(at, 1);
    return false;
  });
}

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
        const missing = missingFrom(ourLeaves(api.response.fields, version, input), theirLeaves(decoded));
        expect(missing, `${api.name} v${version} values kafkajs did not decode`).to.deep.equal([]);
      }
    });
  }
});
