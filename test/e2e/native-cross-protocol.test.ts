import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { Broker, startBroker } from '../../src/broker/broker';
import { connect } from '../../src/client';
import { loadConfig } from '../../src/config/load';
import { batchesOf, COMPRESSION_CODECS } from '../../src/protocol/kafka/record-batch';
import { registerKafkajsCodecs } from '../protocol/kafka/support/compression-codecs';
import { run as runClient } from './support/run';
import { runCli as cli } from '../cli/support/cli-process';

const run = promisify(execFile);
const KCAT = '/usr/bin/kcat';

describe('Native and Kafka clients on one topic', function () {
  this.timeout(60_000);
  let dir: string;
  let broker: Broker;
  let bootstrap: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-native-x-'));
    const config = loadConfig({ env: {}, overrides: { 'data.dir': dir, 'broker.listen': '127.0.0.1:0', 'log.level': 'silent' } });
    broker = await startBroker(config);
    bootstrap = `127.0.0.1:${broker.address.port}`;
  });
  after(async () => {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('kcat reads what a native producer wrote: keys, headers, timestamps and payloads intact', async () => {
    const client = await connect({ bootstrap });
    const producer = await client.producer({ topic: '/default/native-to-kcat' });
    for (let i = 0; i < 5; i++) {
      await producer.send(`payload-${i}`, { key: `key-${i}`, headers: { trace: `t${i}` }, timestampMs: 1_700_000_000_000n + BigInt(i) });
    }
    await client.close();
    const { stdout } = await run(KCAT, ['-C', '-b', bootstrap, '-t', 'native-to-kcat', '-o', 'beginning', '-e', '-q', '-f', '%o|%k|%s|%T|%h\n']);
    expect(stdout.trim().split('\n')).to.deep.equal(
      Array.from({ length: 5 }, (_, i) => `${i}|key-${i}|payload-${i}|${1_700_000_000_000 + i}|trace=t${i}`),
    );
  });

  it('a native consumer reads what kafkajs wrote: keys, headers, timestamps and payloads intact', async () => {
    const kafka = new Kafka({ clientId: 'x', brokers: [bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kafkajs-to-native', numPartitions: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'kafkajs-to-native',
      messages: Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, headers: { h: `x${i}` }, timestamp: String(1_600_000_000_000 + i) })),
    });
    await producer.disconnect();
    const client = await connect({ bootstrap });
    const consumer = await client.subscribe({ topic: '/default/kafkajs-to-native', subscription: 'n', type: 'exclusive', initialPosition: 'earliest' });
    for (let i = 0; i < 5; i++) {
      const m = (await consumer.receive(10_000))!;
      expect(m.offset).to.equal(BigInt(i));
      expect(m.key!.toString()).to.equal(`k${i}`);
      expect(m.payload.toString()).to.equal(`v${i}`);
      expect(m.publishTimeMs).to.equal(BigInt(1_600_000_000_000 + i));
      expect(m.headers.map((h) => [h.key, h.value!.toString()])).to.deep.equal([['h', `x${i}`]]);
      await consumer.ack(m);
    }
    await client.close();
  });

  /** Every message of `topic` read by a native consumer, in order, with keys and headers. */
  async function expectNativeReadsAll(topic: string, lines: string[], header: [string, string]): Promise<void> {
    const client = await connect({ bootstrap });
    const consumer = await client.subscribe({ topic, subscription: 'n', type: 'exclusive', initialPosition: 'earliest' });
    for (let i = 0; i < lines.length; i++) {
      const m = await consumer.receive(10_000);
      expect(m, `message ${i} of ${lines.length}`).to.not.equal(null);
      expect(m!.offset).to.equal(BigInt(i));
      const [key, ...value] = lines[i].split(':');
      expect(m!.key!.toString()).to.equal(key);
      expect(m!.payload.toString()).to.equal(value.join(':'));
      expect(m!.headers.map((h) => [h.key, h.value!.toString()])).to.deep.equal([header]);
      await consumer.ack(m!);
    }
    await client.close();
  }

  async function storedCodecs(topic: string): Promise<string[]> {
    const { chunks } = await (await broker.services.partitions.get(topic, 0)).read(0n, 64 * 1024 * 1024);
    return [...new Set([...batchesOf(Buffer.concat(chunks))].map((b) => COMPRESSION_CODECS[b.header.compressionId]))];
  }

  /** Varied payloads of ~150 bytes, "key:value": several batches, some spanning more than one codec block. */
  const keyedLines = (count: number) => Array.from({ length: count }, (_, i) => `k${i % 17}:${i}-${'abcdefghij'.repeat(10 + (i % 7))}-${(i * 7919) % 100_003}`);

  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
    it(`a native consumer reads every message kcat produced with -z ${codec}, keys and headers intact`, async () => {
      const topic = `kcat-${codec}-to-native`;
      const lines = keyedLines(3000);
      await runClient(KCAT, ['-P', '-b', bootstrap, '-t', topic, '-z', codec, '-K', ':', '-H', `codec=${codec}`, '-X', 'linger.ms=50'], `${lines.join('\n')}\n`);
      // librdkafka <= 2.11.0 (kcat here has 2.0.2) compresses gzip, snappy and lz4 only for brokers
      // that advertise Produce v0 (KAFKA-18659); the broker does, so every codec must reach the log.
      expect(await storedCodecs(topic)).to.deep.equal([codec]);
      await expectNativeReadsAll(topic, lines, ['codec', codec]);
    });
  }

  for (const [codec, type] of [['gzip', CompressionTypes.GZIP], ['snappy', CompressionTypes.Snappy], ['lz4', CompressionTypes.LZ4]] as const) {
    it(`a native consumer reads every message of ${codec} batches from kafkajs (snappy xerial-framed as the Java client)`, async () => {
      registerKafkajsCodecs();
      const topic = `kafkajs-${codec}-to-native`;
      const lines = keyedLines(2000);
      const kafka = new Kafka({ clientId: 'x', brokers: [bootstrap], logLevel: logLevel.NOTHING });
      const producer = kafka.producer({ allowAutoTopicCreation: true });
      await producer.connect();
      for (let at = 0; at < lines.length; at += 500) {
        await producer.send({
          topic, compression: type,
          messages: lines.slice(at, at + 500).map((line) => ({ key: line.split(':')[0], value: line.slice(line.indexOf(':') + 1), headers: { codec } })),
        });
      }
      await producer.disconnect();
      expect(await storedCodecs(topic)).to.deep.equal([codec]);
      await expectNativeReadsAll(topic, lines, ['codec', codec]);
    });
  }

  it('the CLI produces lines from stdin and with --count, and consumes them back, one per line', async () => {
    const produced = await cli(['produce', '/default/cli-topic', '--bootstrap', bootstrap], 'alpha\nbeta\ngamma\n');
    expect(produced.code, produced.stderr).to.equal(0);
    expect(produced.stderr).to.match(/produced 3 messages in .* msg\/s/);
    const generated = await cli(['produce', 'cli-topic', '--bootstrap', bootstrap, '--count', '20', '--size', '8', '--rate', '1000', '--key', 'k']);
    expect(generated.code, generated.stderr).to.equal(0);
    const consumed = await cli(['consume', 'cli-topic', '--bootstrap', bootstrap, '--subscription', 'cli', '--type', 'exclusive', '--count', '23', '--from', 'earliest']);
    expect(consumed.code, consumed.stderr).to.equal(0);
    expect(consumed.stdout.split('\n').slice(0, 3)).to.deep.equal(['alpha', 'beta', 'gamma']);
    expect(consumed.stdout.trim().split('\n')).to.have.length(23);
    expect(consumed.stdout.trim().split('\n').slice(3).every((l) => l === 'xxxxxxxx')).to.equal(true);
    const listed = await cli(['admin', '--bootstrap', bootstrap, 'subscriptions', 'list', 'cli-topic']);
    expect(JSON.parse(listed.stdout).subscriptions[0]).to.include({ name: 'cli' });
    const bad = await cli(['consume', 'cli-topic', '--bootstrap', bootstrap, '--subscription', 'cli', '--type', 'bogus']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/--type must be one of/);
  });
});
