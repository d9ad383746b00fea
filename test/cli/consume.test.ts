import { expect } from 'chai';
import { connect, TributaryClient } from '../../src/client';
import { BrokerFixture, startTestBroker } from '../e2e/support/broker-fixture';
import { RunningCli, runCli, startCli } from './support/cli-process';

interface SubscriptionInfo {
  name: string;
  type: string | null;
  consumers: string[];
  backlog: number | null;
}

describe('tributary consume (the real CLI against a real broker)', function () {
  this.timeout(60_000);
  let fixture: BrokerFixture;
  let client: TributaryClient;
  const running: RunningCli[] = [];

  before(async () => {
    fixture = await startTestBroker({ 'log.level': 'silent' });
    client = await connect({ bootstrap: fixture.bootstrap });
  });
  afterEach(() => {
    for (const cli of running.splice(0)) if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
  });
  after(async () => {
    await client.close();
    await fixture.stop();
  });

  function consume(topic: string, subscription: string, type: string, extra: string[] = []): RunningCli {
    const cli = startCli(['consume', topic, '--bootstrap', fixture.bootstrap, '--subscription', subscription, '--type', type, ...extra]);
    running.push(cli);
    return cli;
  }

  async function produce(topic: string, payloads: Array<{ payload: string; key?: string }>): Promise<void> {
    const producer = await client.producer({ topic });
    await Promise.all(payloads.map(({ payload, key }) => producer.send(payload, { key })));
    await producer.close();
  }

  async function subscription(topic: string, name: string): Promise<SubscriptionInfo | undefined> {
    const { subscriptions } = (await client.admin.call('subscriptions.list', { topic })) as { subscriptions: SubscriptionInfo[] };
    return subscriptions.find((s) => s.name === name);
  }

  /** Waits until the subscription has `count` consumers attached (the CLI processes have subscribed). */
  async function untilConsumers(topic: string, name: string, count: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (((await subscription(topic, name))?.consumers.length ?? 0) < count) {
      if (Date.now() > deadline) throw new Error(`${name} never had ${count} consumers`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const numbered = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ payload: `${prefix}-${i}` }));

  it('--from earliest reads what was stored before it subscribed, prints one payload per line, acks, and exits after --count', async () => {
    await produce('early', numbered('m', 5));
    const first = await runCli(['consume', 'early', '--bootstrap', fixture.bootstrap, '--subscription', 's', '--type', 'exclusive', '--from', 'earliest', '--count', '3']);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.equal('m-0\nm-1\nm-2\n');
    expect(first.stderr).to.match(/consumed 3 messages in .* msg\/s/);
    expect(await subscription('early', 's')).to.include({ backlog: 2 });
    // The three were acked: the same subscription goes on with the fourth.
    const rest = await runCli(['consume', 'early', '--bootstrap', fixture.bootstrap, '--subscription', 's', '--type', 'exclusive', '--count', '2']);
    expect(rest.stdout).to.equal('m-3\nm-4\n');
  });

  it('--from latest (the default) skips what was stored before it subscribed', async () => {
    await produce('late', numbered('old', 5));
    const cli = consume('late', 's', 'shared', ['--from', 'latest', '--count', '2']);
    await untilConsumers('late', 's', 1);
    await produce('late', numbered('new', 2));
    const { code, stdout } = await cli.exited;
    expect(code).to.equal(0);
    expect(stdout).to.equal('new-0\nnew-1\n');
    const implicit = consume('late', 'default-position', 'exclusive', ['--count', '1']);
    await untilConsumers('late', 'default-position', 1);
    await produce('late', [{ payload: 'newest' }]);
    expect((await implicit.exited).stdout).to.equal('newest\n');
  });

  it('--type failover: the active consumer takes everything; when it exits after --count the standby is promoted and takes the rest', async () => {
    const a = consume('fail', 'f', 'failover', ['--from', 'earliest', '--count', '5']);
    const b = consume('fail', 'f', 'failover', ['--from', 'earliest', '--count', '5']);
    await untilConsumers('fail', 'f', 2);
    expect(await subscription('fail', 'f')).to.include({ type: 'failover' });
    await produce('fail', numbered('m', 10));
    const [outA, outB] = await Promise.all([a.exited, b.exited]);
    expect([outA.code, outB.code]).to.deep.equal([0, 0]);
    const outputs = [outA.stdout, outB.stdout].sort();
    // One of them was active and got m-0..m-4 in order; the other was promoted and got m-5..m-9.
    expect(outputs).to.deep.equal(['m-0\nm-1\nm-2\nm-3\nm-4\n', 'm-5\nm-6\nm-7\nm-8\nm-9\n']);
  });

  it('--type shared: two consumers split the messages and none is printed twice', async () => {
    const a = consume('spread', 'sh', 'shared');
    const b = consume('spread', 'sh', 'shared');
    await untilConsumers('spread', 'sh', 2);
    await produce('spread', numbered('m', 200));
    await untilPrinted([a, b], 200);
    expect([...a.lines, ...b.lines].sort()).to.deep.equal(numbered('m', 200).map((m) => m.payload).sort());
    expect(a.lines.length).to.be.above(0);
    expect(b.lines.length).to.be.above(0);
  });

  it('--type key_shared: every key is printed by one consumer only, in order', async () => {
    const a = consume('keyed', 'ks', 'key_shared');
    const b = consume('keyed', 'ks', 'key_shared');
    await untilConsumers('keyed', 'ks', 2);
    expect(await subscription('keyed', 'ks')).to.include({ type: 'key_shared' });
    const messages = Array.from({ length: 200 }, (_, i) => ({ key: `key-${i % 16}`, payload: `key-${i % 16}:${i}` }));
    await produce('keyed', messages);
    await untilPrinted([a, b], 200);
    expect([...a.lines, ...b.lines].sort()).to.deep.equal(messages.map((m) => m.payload).sort());
    const keysOf = (lines: string[]) => new Set(lines.map((l) => l.split(':')[0]));
    const [keysA, keysB] = [keysOf(a.lines), keysOf(b.lines)];
    expect([...keysA].filter((k) => keysB.has(k))).to.deep.equal([]);
    for (const lines of [a.lines, b.lines]) {
      for (const key of keysOf(lines)) {
        const sequence = lines.filter((l) => l.startsWith(`${key}:`)).map((l) => Number(l.split(':')[1]));
        expect(sequence).to.deep.equal([...sequence].sort((x, y) => x - y));
      }
    }
  });

  it('stops cleanly on SIGTERM, printing its summary', async () => {
    const cli = consume('stopped', 's', 'exclusive');
    await untilConsumers('stopped', 's', 1);
    await produce('stopped', [{ payload: 'one' }]);
    await cli.waitForLines(1);
    cli.child.kill('SIGTERM');
    const { code, stderr } = await cli.exited;
    expect(code).to.equal(0);
    expect(stderr).to.match(/consumed 1 messages/);
  });

  it('refuses a bad --from, a bad --count and a second consumer on an Exclusive subscription', async () => {
    const from = await runCli(['consume', 't', '--bootstrap', fixture.bootstrap, '--subscription', 's', '--type', 'shared', '--from', 'middle']);
    expect(from.code).to.equal(2);
    expect(from.stderr).to.match(/--from must be earliest or latest/);
    const count = await runCli(['consume', 't', '--bootstrap', fixture.bootstrap, '--subscription', 's', '--type', 'shared', '--count', '0']);
    expect(count.code).to.equal(2);
    expect(count.stderr).to.match(/--count must be a positive integer/);
    consume('busy', 'only', 'exclusive');
    await untilConsumers('busy', 'only', 1);
    const second = await runCli(['consume', 'busy', '--bootstrap', fixture.bootstrap, '--subscription', 'only', '--type', 'exclusive']);
    expect(second.code).to.equal(1);
    expect(second.stderr).to.match(/tributary: .*(consumer|busy|exclusive)/i);
  });
});

async function untilPrinted(clis: RunningCli[], total: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (clis.reduce((n, c) => n + c.lines.length, 0) < total) {
    if (Date.now() > deadline) throw new Error(`printed ${clis.map((c) => c.lines.length).join(' + ')} of ${total}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // A moment more, so a duplicate printed late would be seen.
  await new Promise((r) => setTimeout(r, 300));
}
