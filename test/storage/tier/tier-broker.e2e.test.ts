/**
 * The tier under a real broker with real clients: kafkajs and kcat read a topic from offset 0
 * after local retention removed its first segments (so the first offsets come from objects);
 * and durability cloud survives losing the whole data dir after kill -9 (metadata in a real
 * etcd, objects outside the data dir), every acknowledged message read back.
 */
import { expect } from 'chai';
import { spawn, ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Broker, startBroker } from '../../../src/broker/broker';
import { loadConfig } from '../../../src/config/load';
import { EtcdServer, startEtcd } from '../../support/etcd';
import { eventually, freePort, sleep } from '../../e2e/groups-harness';

function client(bootstrap: string, requestTimeout = 30_000): Kafka {
  return new Kafka({ clientId: 'tier-e2e', brokers: [bootstrap], logLevel: logLevel.NOTHING, requestTimeout, retry: { retries: 10, initialRetryTime: 100 } });
}

function segmentFiles(dataDir: string, topic: string): string[] {
  try {
    return readdirSync(join(dataDir, 'logs', `${topic}-0`)).filter((f) => f.endsWith('.log')).sort();
  } catch {
    return [];
  }
}

/** Data objects (uploader.ts names them `objects/<broker>/<time>-<seq>-<random>.tob`) under an fs object store root. */
function objectFiles(root: string): string[] {
  try {
    return (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.tob'));
  } catch {
    return [];
  }
}

describe('tier end to end with Kafka clients', function () {
  this.timeout(60_000);

  describe('a topic whose first segments moved to object storage', () => {
    let dataDir: string;
    let broker: Broker;
    let bootstrap: string;
    const topic = 'history';
    const sent: string[] = [];

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'tributary-tier-e2e-'));
      const port = await freePort();
      bootstrap = `127.0.0.1:${port}`;
      const config = loadConfig({
        env: {},
        file: join(__dirname, '..', '..', '..', 'config', 'examples', 'tiered-fs.yml'),
        overrides: {
          'data.dir': dataDir, 'broker.listen': bootstrap, 'log.level': 'silent',
          'tier.uploadIntervalMs': '100', 'topics.segmentBytes': '4096', 'topics.localRetentionBytes': '0', 'topics.localRetentionMs': '-1',
        },
      });
      broker = await startBroker(config);
      const producer = client(bootstrap).producer();
      await producer.connect();
      for (let i = 0; i < 40; i++) {
        const messages = Array.from({ length: 10 }, (_, j) => ({ value: `m-${i * 10 + j}-${'x'.repeat(100)}` }));
        await producer.send({ topic, messages, acks: -1 });
        sent.push(...messages.map((m) => m.value));
      }
      await producer.disconnect();
      await eventually(() => !segmentFiles(dataDir, topic).includes(`${'0'.repeat(20)}.log`), 20_000, 'local retention removes the first segment after upload');
    });
    after(async () => {
      await broker?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('kafkajs reads every message from offset 0, in order', async () => {
      const consumer = client(bootstrap).consumer({ groupId: 'tier-e2e-kafkajs' });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const got: string[] = [];
      await consumer.run({ eachMessage: async ({ message }) => { got.push(message.value!.toString()); } });
      await eventually(() => got.length >= sent.length, 30_000, `kafkajs read ${got.length} of ${sent.length}`);
      await consumer.disconnect();
      expect(got).to.deep.equal(sent);
    });

    it('kcat reads every offset from the beginning, and ListOffsets earliest is 0', async () => {
      // Not spawnSync: the broker runs in this process and must keep answering.
      const run = await kcat(['-C', '-b', bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%o %s\\n']);
      expect(run.status, run.stderr).to.equal(0);
      const lines = run.stdout.trim().split('\n');
      expect(lines.map((l) => Number(l.split(' ')[0]))).to.deep.equal(sent.map((_, i) => i));
      expect(lines.map((l) => l.split(' ')[1])).to.deep.equal(sent);
      const offsets = await client(bootstrap).admin().fetchTopicOffsetsByTimestamp(topic, 0);
      expect(offsets[0].offset).to.equal('0');
    });
  });

  it('honours local.retention.bytes per topic, set by CreateTopics or AlterConfigs and shown by DescribeConfigs', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-tier-local-retention-'));
    const bootstrap = `127.0.0.1:${await freePort()}`;
    // Broker-wide: keep every local segment; only the topic configs below let uploaded segments go.
    const config = loadConfig({ env: {}, file: join(__dirname, '..', '..', '..', 'config', 'examples', 'tiered-fs.yml'),
      overrides: { 'data.dir': dataDir, 'broker.listen': bootstrap, 'log.level': 'silent', 'tier.uploadIntervalMs': '100',
        'topics.localRetentionMs': '-1', 'topics.localRetentionBytes': '-1' } });
    const broker = await startBroker(config);
    const kafka = client(bootstrap);
    const admin = kafka.admin();
    const producer = kafka.producer();
    const first = `${'0'.repeat(20)}.log`;
    try {
      await admin.connect();
      await producer.connect();
      await admin.createTopics({ topics: [
        { topic: 'short', configEntries: [{ name: 'local.retention.bytes', value: '0' }, { name: 'segment.bytes', value: '4096' }] },
        { topic: 'kept', configEntries: [{ name: 'segment.bytes', value: '4096' }] },
      ] });
      const sent: string[] = [];
      for (let i = 0; i < 20; i++) {
        const messages = Array.from({ length: 10 }, (_, j) => ({ value: `m-${i * 10 + j}-${'y'.repeat(100)}` }));
        for (const topic of ['short', 'kept']) await producer.send({ topic, messages, acks: -1 });
        sent.push(...messages.map((m) => m.value));
      }
      await eventually(() => !segmentFiles(dataDir, 'short').includes(first), 20_000, 'local.retention.bytes=0 removes the uploaded first segment');
      await sleep(500);
      expect(segmentFiles(dataDir, 'kept'), 'the topic without local.retention.bytes keeps its first segment').to.include(first);
      const described = await admin.describeConfigs({ includeSynonyms: false, resources: [
        { type: 2, name: 'short', configNames: ['local.retention.bytes', 'local.retention.ms'] },
        { type: 2, name: 'kept', configNames: ['local.retention.bytes'] },
      ] });
      const value = (topic: string, name: string) => described.resources.find((r) => r.resourceName === topic)!.configEntries.find((e) => e.configName === name)?.configValue;
      expect([value('short', 'local.retention.bytes'), value('short', 'local.retention.ms'), value('kept', 'local.retention.bytes')]).to.deep.equal(['0', '-1', '-1']);

      await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'kept', configEntries: [{ name: 'local.retention.bytes', value: '0' }, { name: 'segment.bytes', value: '4096' }] }] });
      await producer.send({ topic: 'kept', acks: -1, messages: [{ value: 'after-alter' }] });
      await eventually(() => !segmentFiles(dataDir, 'kept').includes(first), 20_000, 'local.retention.bytes=0 set by AlterConfigs removes the uploaded first segment');

      const consumer = kafka.consumer({ groupId: 'tier-local-retention' });
      await consumer.connect();
      await consumer.subscribe({ topic: 'short', fromBeginning: true });
      const got: string[] = [];
      await consumer.run({ eachMessage: async ({ message }) => { got.push(message.value!.toString()); } });
      await eventually(() => got.length >= sent.length, 30_000, `kafkajs read ${got.length} of ${sent.length}`);
      await consumer.disconnect();
      expect(got).to.deep.equal(sent);
    } finally {
      await producer.disconnect();
      await admin.disconnect();
      await broker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('takes durability cloud set at run time (IncrementalAlterConfigs): the next acknowledged produce is in object storage', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-tier-alter-'));
    const bootstrap = `127.0.0.1:${await freePort()}`;
    // Uploads of local data every 10 minutes: an object right after an ack comes from durability cloud.
    const config = loadConfig({ env: {}, file: join(__dirname, '..', '..', '..', 'config', 'examples', 'tiered-fs.yml'),
      overrides: { 'data.dir': dataDir, 'broker.listen': bootstrap, 'log.level': 'silent', 'tier.uploadIntervalMs': '600000' } });
    const broker = await startBroker(config);
    const kafka = client(bootstrap);
    const admin = kafka.admin();
    const producer = kafka.producer();
    try {
      await admin.connect();
      await producer.connect();
      await admin.createTopics({ topics: [{ topic: 'flip', configEntries: [{ name: 'durability', value: 'local' }] }] });
      await producer.send({ topic: 'flip', acks: -1, messages: [{ value: 'local' }] });
      expect(objectFiles(join(dataDir, 'objects')), 'objects while local').to.deep.equal([]);
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'flip', configEntries: [{ name: 'durability', value: 'cloud' }] }] });
      await producer.send({ topic: 'flip', acks: -1, messages: [{ value: 'cloud' }] });
      expect(objectFiles(join(dataDir, 'objects')).length, 'objects after a durability cloud ack').to.be.above(0);
    } finally {
      await producer.disconnect();
      await admin.disconnect();
      await broker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to start with a clear message when the object store is unreachable', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-bad-store-'));
    try {
      const proc = spawn(process.execPath, ['scripts/tributary.cjs', 'broker', '--listen', `127.0.0.1:${await freePort()}`, '--data-dir', dataDir,
        '--object-store', 's3://bucket?endpoint=http%3A%2F%2F127.0.0.1%3A1&region=us-east-1&access_key_id=a&secret_access_key=b'], {
        cwd: join(__dirname, '..', '..', '..'), env: { ...process.env, TRIBUTARY_LOG_LEVEL: 'silent' }, stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      proc.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
      const code = await new Promise((resolve) => proc.once('exit', resolve));
      expect(code).to.equal(1);
      expect(stderr).to.match(/object store s3:\/\/bucket\/ at http:\/\/127\.0\.0\.1:1 .* is not usable/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  describe('durability cloud when the data dir is lost', () => {
    let etcd: EtcdServer;
    let root: string;
    let child: ChildProcess | null = null;

    before(async () => {
      etcd = await startEtcd();
      root = mkdtempSync(join(tmpdir(), 'tributary-cloud-e2e-'));
    });
    after(async () => {
      child?.kill('SIGKILL');
      await etcd.stop();
      rmSync(root, { recursive: true, force: true });
    });

    async function spawnBroker(port: number): Promise<ChildProcess> {
      const configFile = join(root, 'broker.yml');
      writeFileSync(configFile, [
        'metadata:', '  store: etcd', `  etcdEndpoints: [${etcd.endpoints.join(', ')}]`, '  clusterPrefix: /cloud-e2e',
        'tier:', '  enabled: true', 'topics:', '  durability: cloud', '',
      ].join('\n'));
      const proc = spawn(process.execPath, ['scripts/tributary.cjs', 'broker', '--config', configFile, '--listen', `127.0.0.1:${port}`,
        '--data-dir', join(root, 'data'), '--object-store', `fs://${join(root, 'objects')}`], {
        cwd: join(__dirname, '..', '..', '..'), env: { ...process.env, TRIBUTARY_LOG_LEVEL: 'silent' }, stdio: ['ignore', 'ignore', 'inherit'],
      });
      const deadline = Date.now() + 30_000;
      while (!(await accepts(port))) {
        if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`broker did not start (exit ${proc.exitCode})`);
        await sleep(100);
      }
      return proc;
    }

    it('reads back every acknowledged message from object storage after kill -9 and rm -rf of the data dir', async () => {
      const port = await freePort();
      child = await spawnBroker(port);
      // A send in flight at the kill fails fast instead of waiting out a 30 s request timeout.
      const producer = client(`127.0.0.1:${port}`, 2000).producer({ retry: { retries: 0 } });
      await producer.connect();
      const acked: string[] = [];
      let stop = false;
      const producing = (async () => {
        for (let i = 0; !stop; i++) {
          const messages = Array.from({ length: 5 }, (_, j) => ({ value: `c-${i}-${j}` }));
          try {
            await producer.send({ topic: 'durable', messages, acks: -1 });
            acked.push(...messages.map((m) => m.value));
          } catch {
            return;
          }
        }
      })();
      await eventually(() => acked.length >= 200, 20_000, 'acknowledged produces');
      child.kill('SIGKILL');
      stop = true;
      // kafkajs may never settle a send cut off by the kill; what it acknowledged by now is the record.
      await Promise.race([producing, sleep(3000)]);
      const acknowledged = [...acked];
      void producer.disconnect().catch(() => undefined);
      rmSync(join(root, 'data'), { recursive: true, force: true });

      const port2 = await freePort();
      child = await spawnBroker(port2);
      const consumer = client(`127.0.0.1:${port2}`).consumer({ groupId: 'cloud-e2e' });
      await consumer.connect();
      await consumer.subscribe({ topic: 'durable', fromBeginning: true });
      const got = new Set<string>();
      await consumer.run({ eachMessage: async ({ message }) => { got.add(message.value!.toString()); } });
      await eventually(() => acknowledged.every((v) => got.has(v)), 30_000, `read back ${acknowledged.filter((v) => got.has(v)).length} of ${acknowledged.length} acknowledged`);
      await consumer.disconnect();
    });
  });
});

function kcat(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}
