import { expect } from 'chai';
import { BrokerFixture, startTestBroker } from './support/broker-fixture';
import { run } from './support/run';

const KCAT = '/usr/bin/kcat';
const COUNT = 10_000;

function messages(prefix: string): string {
  const lines: string[] = [];
  for (let i = 0; i < COUNT; i++) lines.push(`${prefix}-key-${i % 97}:${prefix}-value-${i}-${'x'.repeat(i % 50)}`);
  return `${lines.join('\n')}\n`;
}

describe('kcat (librdkafka) end to end', function () {
  this.timeout(60_000);
  let fixture: BrokerFixture;

  before(async () => {
    fixture = await startTestBroker();
  });

  after(async () => {
    await fixture?.stop();
  });

  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
    it(`produces ${COUNT} keyed messages with headers compressed with ${codec} and reads them back exactly`, async () => {
      const topic = `kcat-${codec}`;
      const input = messages(codec);
      await run(KCAT, ['-P', '-b', fixture.bootstrap, '-t', topic, '-K', ':', '-H', 'source=kcat', '-H', `codec=${codec}`,
        '-X', `compression.codec=${codec}`, '-X', 'acks=all'], input);
      const { stdout } = await run(KCAT, ['-C', '-b', fixture.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q',
        '-f', '%k:%s|%h|%o\n']);
      const lines = stdout.trimEnd().split('\n');
      expect(lines).to.have.length(COUNT);
      const expected = input.trimEnd().split('\n').map((line, i) => `${line}|source=kcat,codec=${codec}|${i}`);
      expect(lines).to.deep.equal(expected);
    });
  }

  it('stamps LogAppendTime on a topic configured for it, with a CRC the client verifies', async () => {
    const topic = 'kcat-log-append-time';
    await fixture.broker.services.topics.create({ name: topic, partitions: 1, configs: { 'message.timestamp.type': 'LogAppendTime' } });
    const before = Date.now();
    await run(KCAT, ['-P', '-b', fixture.bootstrap, '-t', topic, '-z', 'gzip'], 'a\nb\nc\n');
    const after = Date.now();
    const { stdout } = await run(KCAT, ['-C', '-b', fixture.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q',
      '-X', 'check.crcs=true', '-f', '%T %s\n']);
    const lines = stdout.trimEnd().split('\n').map((l) => l.split(' '));
    expect(lines.map((l) => l[1])).to.deep.equal(['a', 'b', 'c']);
    for (const [ts] of lines) expect(Number(ts)).to.be.within(before, after);
  });

  it('stores acks=0 produces without answering them', async () => {
    await run(KCAT, ['-P', '-b', fixture.bootstrap, '-t', 'kcat-acks0', '-X', 'acks=0'], 'x\ny\nz\n');
    const { stdout } = await run(KCAT, ['-C', '-b', fixture.bootstrap, '-t', 'kcat-acks0', '-o', 'beginning', '-c', '3', '-q', '-f', '%s\n']);
    expect(stdout).to.equal('x\ny\nz\n');
  });

  it('wakes a consumer parked in a Fetch long poll when messages arrive', async () => {
    const topic = 'kcat-long-poll';
    await fixture.broker.services.topics.create({ name: topic, partitions: 1 });
    const consuming = run(KCAT, ['-C', '-b', fixture.bootstrap, '-t', topic, '-o', 'beginning', '-c', '2', '-q', '-f', '%s\n',
      '-X', 'fetch.wait.max.ms=10000']);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const sentAt = Date.now();
    await run(KCAT, ['-P', '-b', fixture.bootstrap, '-t', topic], 'late-1\nlate-2\n');
    expect((await consuming).stdout).to.equal('late-1\nlate-2\n');
    expect(Date.now() - sentAt).to.be.lessThan(5000);
  });

  it('lists the broker, the topics and their partitions with -L', async () => {
    await run(KCAT, ['-P', '-b', fixture.bootstrap, '-t', 'kcat-metadata'], 'one\n');
    const { stdout } = await run(KCAT, ['-L', '-b', fixture.bootstrap, '-J']);
    const metadata = JSON.parse(stdout) as {
      brokers: Array<{ id: number; name: string }>;
      topics: Array<{ topic: string; partitions: Array<{ partition: number; leader: number }> }>;
    };
    expect(metadata.brokers).to.deep.equal([{ id: 0, name: fixture.bootstrap }]);
    const topic = metadata.topics.find((t) => t.topic === 'kcat-metadata');
    expect(topic?.partitions).to.have.length(1);
    expect(topic?.partitions[0].leader).to.equal(0);
  });

  it('finds offsets by timestamp with -Q', async () => {
    const topic = 'kcat-times';
    await run(KCAT, ['-P', '-b', fixture.bootstrap, '-t', topic], 'a\nb\nc\n');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const between = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await run(KCAT, ['-P', '-b', fixture.bootstrap, '-t', topic], 'd\ne\n');
    const query = async (ts: number) => (await run(KCAT, ['-Q', '-b', fixture.bootstrap, '-t', `${topic}:0:${ts}`])).stdout;
    expect(await query(0)).to.match(/offset 0\b/);
    expect(await query(between)).to.match(/offset 3\b/);
    expect(await query(between + 3_600_000)).to.match(/offset -1\b/);
  });
});
