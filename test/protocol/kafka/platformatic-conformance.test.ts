import { expect } from 'chai';
import { decodeMessage, encodeMessage } from '../../../src/protocol/kafka/codec';
import { API_SPECS } from '../../../src/protocol/kafka/messages';
import { readFileSync } from 'node:fs';
import { requestHeaderVersion, responseHeaderVersion } from '../../../src/protocol/kafka/header';
import { inVersions, isFlexible, validBounds } from '../../../src/protocol/kafka/schema';
import { Reader } from '../../../src/protocol/primitives/reader';
import { Writer } from '../../../src/protocol/primitives/writer';
import { loadPlatformatic, parameterNames, platformaticReader, platformaticVersions, type PlatformaticApi } from './support/platformatic';
import { PLATFORMATIC_ADAPTERS } from './support/platformatic-args';
import { emptyRecords, missingFrom, ourLeaves, theirLeaves } from './support/leaves';
import { sampleMessage } from './support/samples';

const kebab = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();

/**
 * Response fields platformatic reads past without returning (it also discards every tagged
 * field): ListOffsets v0 keeps only the first old-style offset, DescribeConfigs v0 drops isDefault.
 */
const PLATFORMATIC_DROPPED_FIELDS: Record<string, string[]> = {
  ListOffsets: ['oldStyleOffsets'],
  DescribeConfigs: ['isDefault'],
};

/**
 * Requests in which platformatic writes a tagged field at its default value, which Kafka's
 * generated code (and this codec) omits: the bytes differ, the decoded messages do not.
 */
const DEFAULT_TAGGED_FIELDS_WRITTEN = new Set(['Fetch v17']);

/** A version's parser; some versions reuse an older version's without re-exporting it. */
async function parserFor(files: Map<number, string>, version: number): Promise<PlatformaticApi['parseResponse']> {
  for (let v = version; v >= 0; v--) {
    const file = files.get(v);
    const parse = file ? (await loadPlatformatic(file)).parseResponse : undefined;
    if (typeof parse === 'function') return parse;
  }
  throw new Error(`no platformatic parser at or below v${version}`);
}

describe('Conformance with @platformatic/kafka 2.12.1 (flexible versions included)', () => {
  it('chooses the same request and response header versions as platformatic for every described version', () => {
    const checked: string[] = [];
    for (const api of API_SPECS) {
      for (const [version, file] of platformaticVersions(kebab(api.name))) {
        // createAPI(key, version, createRequest, parseResponse, requestHeaderTags = true, responseHeaderTags = true)
        const call = /createAPI\((\d+), (\d+), \w+, \w+(?:, (true|false))?(?:, (true|false))?\)/.exec(readFileSync(file, 'utf8'));
        if (!call || !inVersions(api.request.validVersions, version)) continue;
        const requestTags = call[3] !== 'false';
        const responseTags = call[4] !== 'false';
        expect(requestHeaderVersion(api.apiKey, version), `${api.name} v${version} request header`).to.equal(requestTags ? 2 : 1);
        expect(responseHeaderVersion(api.apiKey, version), `${api.name} v${version} response header`).to.equal(responseTags ? 1 : 0);
        checked.push(`${api.name} v${version}`);
      }
    }
    expect(checked.length).to.be.greaterThan(150);
  });

  for (const api of API_SPECS) {
    const files = platformaticVersions(kebab(api.name));
    const { min, max } = validBounds(api.request);
    const versions = [...files.keys()].filter((v) => v >= min && v <= max).sort((a, b) => a - b);
    if (versions.length === 0) continue;

    it(`decodes platformatic ${api.name} requests v${versions.join(',v')}, re-encodes them byte for byte and matches our encoding`, async () => {
      for (const version of versions) {
        const platformatic = await loadPlatformatic(files.get(version)!);
        const { input } = sampleMessage(api.request, version, 5);
        const adapted = PLATFORMATIC_ADAPTERS[api.name]?.(version, input) ?? null;
        const args = adapted?.args ?? parameterNames(platformatic.createRequest as never).map((n) => input[n]);
        const theirs = platformatic.createRequest(...args).buffer;
        const reader = new Reader(theirs);
        const decoded = decodeMessage(api.request, version, reader);
        expect(reader.remaining(), `${api.name} v${version} trailing bytes`).to.equal(0);
        const ours = encodeMessage(api.request, version, input as never, new Writer()).toBuffer();
        if (DEFAULT_TAGGED_FIELDS_WRITTEN.has(`${api.name} v${version}`)) {
          expect(decoded, `${api.name} v${version} same message`).to.deep.equal(decodeMessage(api.request, version, new Reader(ours)));
          continue;
        }
        const again = encodeMessage(api.request, version, decoded as never, new Writer()).toBuffer();
        expect(again.toString('hex'), `${api.name} v${version} re-encoded`).to.equal(theirs.toString('hex'));
        if (adapted?.comparable === false) continue;
        expect(ours.toString('hex'), `${api.name} v${version} same message`).to.equal(theirs.toString('hex'));
      }
    });

    it(`encodes ${api.name} responses v${versions.join(',v')} that platformatic parses to the same values`, async () => {
      for (const version of versions) {
        const parseResponse = await parserFor(files, version);
        const { input } = sampleMessage(api.response, version, 6);
        emptyRecords(input);
        // platformatic reads an ApiVersions error body as the v0 fallback (KIP-511), so the sample carries none.
        if (api.name === 'ApiVersions') input.errorCode = 0;
        const bytes = encodeMessage(api.response, version, input as never, new Writer()).toBuffer();
        let parsed: unknown;
        try {
          parsed = parseResponse(1, api.apiKey, version, await platformaticReader(bytes));
        } catch (err) {
          // platformatic throws a ResponseError carrying the parsed response when an error code is set.
          parsed = (err as { response?: unknown }).response;
          expect(parsed, `${api.name} v${version}: ${String(err)}`).to.not.equal(undefined);
        }
        const expected = ourLeaves(api.response.fields, version, isFlexible(api.response, version), input, {
          skipTagged: true, skipNames: PLATFORMATIC_DROPPED_FIELDS[api.name] ?? [],
        });
        expect(missingFrom(expected, theirLeaves(parsed, ['records'])), `${api.name} v${version} values platformatic did not parse`).to.deep.equal([]);
      }
    });
  }
});
