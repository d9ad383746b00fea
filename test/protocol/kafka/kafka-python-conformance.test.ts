import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { decodeMessage, encodeMessage } from '../../../src/protocol/kafka/codec';
import { apiSpecByKey, API_SPECS } from '../../../src/protocol/kafka/messages';
import { inVersions } from '../../../src/protocol/kafka/schema';
import { Reader } from '../../../src/protocol/primitives/reader';
import { Writer } from '../../../src/protocol/primitives/writer';
import { emptyRecords, missingFrom, ourLeaves } from './support/leaves';
import { sampleMessage } from './support/samples';

// kafka-python 2.0.2 lives in the system Python (kafka-clients.md §0), not the python3 on PATH.
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, 'fixtures', 'kafka_python_codec.py');

/**
 * Versions whose kafka-python 2.0.2 schema disagrees with Kafka's JSON (and with kafkajs and
 * platformatic, which agree with this codec), left out rather than matched. kafka-python never
 * sends them (it uses fixed old versions, kafka-clients.md §2):
 *   ListOffsets v4/v5: current_leader_epoch declared int64 (Kafka: int32);
 *   DescribeGroups v3 response: authorized_operations outside the group struct;
 *   AlterConfigs v1: the response class is the request class;
 *   DescribeConfigs v1 response: config_source (int8) read as a boolean is_default;
 *   FindCoordinator v1 response: no throttle_time_ms;
 *   Produce v8 response: record_errors and error_message outside the partition struct.
 */
const KAFKA_PYTHON_SCHEMA_BUGS = new Set(['2v4', '2v5', '15v3', '33v1', '32v1', '10v1', '0v8']);

interface Encoded { key: number; version: number; hex: string }

function runPython(args: string[], input?: string): string {
  const result = spawnSync(PYTHON, [SCRIPT, ...args], { input, encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`kafka-python harness failed: ${result.stderr}`);
  return result.stdout;
}

function kafkaPythonAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import kafka.protocol'], { timeout: 10_000 }).status === 0;
}

describe('Conformance with kafka-python 2.0.2 protocol classes', function () {
  let requests: Encoded[] = [];

  before(function () {
    if (!kafkaPythonAvailable()) this.skip();
    const keys = API_SPECS.map((api) => String(api.apiKey));
    requests = (JSON.parse(runPython(['requests', ...keys])) as Encoded[])
      .filter(({ key, version }) => inVersions(apiSpecByKey(key)!.request.validVersions, version))
      .filter(({ key, version }) => !KAFKA_PYTHON_SCHEMA_BUGS.has(`${key}v${version}`));
  });

  it('decodes every request kafka-python encodes (Metadata v0/v1, Fetch v4, ListOffsets v1, JoinGroup v2 ...) and re-encodes it byte for byte', () => {
    const seen = new Set(requests.map(({ key, version }) => `${key}v${version}`));
    for (const fixed of ['3v0', '3v1', '1v4', '2v1', '10v0', '11v2', '14v1', '12v1', '13v1', '8v2', '9v1', '0v7', '18v0']) {
      expect(seen, `kafka-python sends ${fixed}`).to.include(fixed);
    }
    for (const { key, version, hex } of requests) {
      const spec = apiSpecByKey(key)!.request;
      const reader = new Reader(Buffer.from(hex, 'hex'));
      const decoded = decodeMessage(spec, version, reader);
      expect(reader.remaining(), `${spec.name} v${version} trailing bytes`).to.equal(0);
      const again = encodeMessage(spec, version, decoded as never, new Writer()).toBuffer();
      expect(again.toString('hex'), `${spec.name} v${version}`).to.equal(hex);
    }
  });

  it('encodes responses kafka-python decodes to the same values', () => {
    const unique = [...new Map(requests.map((r) => [`${r.key}v${r.version}`, r])).values()];
    const samples = unique.map(({ key, version }) => {
      const spec = apiSpecByKey(key)!.response;
      const { input } = sampleMessage(spec, version, 8);
      emptyRecords(input);
      const hex = encodeMessage(spec, version, input as never, new Writer()).toBuffer().toString('hex');
      return { key, version, hex, expected: ourLeaves(spec.fields, version, false, input) };
    });
    const decoded = JSON.parse(runPython(['responses'], JSON.stringify(samples))) as Array<{ key: number; version: number; leaves: string[]; error?: string }>;
    decoded.forEach((theirs, i) => {
      const name = `${apiSpecByKey(theirs.key)!.name} v${theirs.version}`;
      expect(theirs.error, `${name} decode error`).to.equal(undefined);
      expect(missingFrom(samples[i].expected, theirs.leaves), `${name} values kafka-python did not decode`).to.deep.equal([]);
    });
  });
});
