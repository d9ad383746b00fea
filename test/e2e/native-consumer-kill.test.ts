import { expect } from 'chai';
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { connect, Consumer, ReceivedMessage, TributaryClient } from '../../src/client';
import type { SubscriptionType } from '../../src/protocol/native/messages';
import { BrokerFixture, startTestBroker } from './support/broker-fixture';

const CHILD = join(__dirname, 'support/native-consumer-child.ts');
const MESSAGES = 400;

interface ChildDelivery {
  offset: bigint;
  redeliveryCount: number;
  acked: boolean;
}

/** A consumer process: its deliveries as it reports them on stdout. */
class ConsumerProcess {
  readonly deliveries: ChildDelivery[] = [];
  subscribed = false;
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<NodeJS.Signals | null>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { env: { ...process.env, TRIBUTARY_LOG_LEVEL: 'silent' } });
    let pending = '';
    this.child.stdout.on('data', (c: Buffer) => {
      const lines = (pending + c.toString()).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const parsed = JSON.parse(line) as { subscribed?: true; offset?: string; redeliveryCount?: number; acked?: boolean };
        if (parsed.subscribed) this.subscribed = true;
        else this.deliveries.push({ offset: BigInt(parsed.offset!), redeliveryCount: parsed.redeliveryCount!, acked: parsed.acked! });
      }
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (_code, signal) => resolve(signal)));
  }
}

/** An in-process consumer that acks everything it gets and remembers each delivery. */
function collect(consumer: Consumer): ReceivedMessage[] {
  const seen: ReceivedMessage[] = [];
  void (async () => {
    for await (const m of consumer) {
      seen.push(m);
      await consumer.ack(m).catch(() => undefined);
    }
  })();
  return seen;
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Native consumers in a child process killed with SIGKILL mid-stream', function () {
  this.timeout(60_000);
  let fixture: BrokerFixture;
  let client: TributaryClient;
  const children: ConsumerProcess[] = [];

  before(async () => {
    fixture = await startTestBroker({ 'log.level': 'silent' });
    client = await connect({ bootstrap: fixture.bootstrap, clientName: 'survivors' });
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  });
  after(async () => {
    await client.close();
    await fixture.stop();
  });

  async function consumerCount(topic: string, subscription: string): Promise<number> {
    const { subscriptions } = await client.admin.listSubscriptions(topic);
    return subscriptions.find((s) => s.name === subscription)?.consumers.length ?? 0;
  }

  async function redeliveriesOf(topic: string, subscription: string): Promise<number> {
    const { subscriptions } = (await client.admin.call('subscriptions.list', { topic })) as { subscriptions: Array<{ name: string; redeliveries: number }> };
    return subscriptions.find((s) => s.name === subscription)!.redeliveries;
  }

  for (const type of ['shared', 'key_shared', 'failover', 'exclusive'] as SubscriptionType[]) {
    it(`${type}: nothing is lost, the killed consumer's unacked messages are redelivered and counted`, async () => {
      const topic = `killed-${type}`;
      // The child is the preferred failover consumer (priority 0); the survivors are standbys.
      const victim = new ConsumerProcess([fixture.bootstrap, topic, 's', type, 'victim', '0', '20', '10']);
      children.push(victim);
      await until(() => victim.subscribed, 'the child subscribed');
      const survivorsFirst = type !== 'exclusive';
      const survivors: ReceivedMessage[][] = [];
      const subscribeSurvivors = async () => {
        for (const [name, priority] of [['survivor-1', 1], ['survivor-2', 2]] as const) {
          if (type === 'exclusive' && survivors.length === 1) break;
          const consumer = await client.subscribe({ topic, subscription: 's', type, name, priority, receiverQueueSize: 50, initialPosition: 'earliest' });
          survivors.push(collect(consumer));
        }
      };
      if (survivorsFirst) await subscribeSurvivors();
      const producer = await client.producer({ topic });
      const keys = Array.from({ length: MESSAGES }, (_, i) => `key-${i % 10}`);
      await Promise.all(keys.map((key, i) => producer.send(`m${i}`, { key })));
      await until(() => victim.deliveries.length >= 15, 'the child held unacked messages');
      victim.child.kill('SIGKILL');
      expect(await victim.exited).to.equal('SIGKILL');
      if (!survivorsFirst) await subscribeSurvivors();

      const ackedByVictim = victim.deliveries.filter((d) => d.acked).map((d) => d.offset);
      const unackedByVictim = victim.deliveries.filter((d) => !d.acked).map((d) => d.offset);
      expect(unackedByVictim.length).to.be.at.least(5);
      const seen = () => new Set([...ackedByVictim, ...survivors.flat().map((m) => m.offset)]);
      await until(() => seen().size === MESSAGES, `every one of ${MESSAGES} messages was acked or received`);
      expect([...seen()].every((o) => o >= 0n && o < BigInt(MESSAGES))).to.equal(true);
      // Everything the child held unacked reached a survivor again, marked as a redelivery.
      const redelivered = survivors.flat().filter((m) => m.redeliveryCount > 0).map((m) => m.offset);
      expect(redelivered).to.include.members(unackedByVictim);
      expect(await redeliveriesOf(topic, 's')).to.be.at.least(unackedByVictim.length);
      // The broker forgot the dead consumer.
      expect(await consumerCount(topic, 's')).to.equal(survivors.length);
      await producer.close();
    });
  }
});
