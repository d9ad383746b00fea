/**
 * The client side of docker/test-cluster.sh, run on the host with kafkajs: creates a
 * durability cloud topic, produces and consumes through the three brokers, then asks the
 * script to kill the owner of partition 0 (prints "KILL <brokerId>" and waits for a line on
 * stdin), and checks that the partition moves, producing carries on and every acknowledged
 * message is consumed. Exits non-zero with the reason on any failure.
 *   npx tsx docker/cluster-check.ts 127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094
 */
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';

const brokers = (process.argv[2] ?? '127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094').split(',');
const TOPIC = `docker-cluster-${Date.now()}`;
const PARTITIONS = 3;
const kafka = new Kafka({ clientId: 'docker-check', brokers, logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const stdinLines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function leaderOf(partition: number): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [TOPIC] });
    return topics[0].partitions.find((p) => p.partitionId === partition)?.leader ?? -1;
  } finally {
    await admin.disconnect();
  }
}

async function main(): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const { brokers: live } = await admin.describeCluster();
  if (live.length !== 3) throw new Error(`expected 3 live brokers, Metadata lists ${live.length}`);
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS, configEntries: [{ name: 'durability', value: 'cloud' }] }] });
  await admin.disconnect();

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
  await producer.connect();
  const acked: string[] = [];
  const produce = async (from: number, count: number) => {
    for (let i = from; i < from + count; i++) {
      await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: `m-${i}`, partition: i % PARTITIONS }] });
      acked.push(`m-${i}`);
    }
  };
  const consumer = kafka.consumer({ groupId: `${TOPIC}-group`, sessionTimeout: 10_000, heartbeatInterval: 500 });
  const seen = new Set<string>();
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => { seen.add(message.value!.toString()); } });
  // kafkajs keeps a killed group coordinator cached and restarts its fetch loop on every refused
  // connection, so a group catches up 20-50 s after a kill (docs/cluster.md): 90 s, as the tests.
  const consumedAll = async (what: string) => {
    const deadline = Date.now() + 90_000;
    while (acked.some((v) => !seen.has(v))) {
      if (Date.now() > deadline) throw new Error(`${what}: ${acked.filter((v) => !seen.has(v)).length} acknowledged messages never consumed`);
      await sleep(200);
    }
  };

  await produce(0, 90);
  await consumedAll('before the kill');
  console.log(`OK produced and consumed ${acked.length} messages across 3 brokers`);

  const victim = await leaderOf(0);
  console.log(`KILL ${victim}`);
  const answer = await stdinLines.next();
  if (answer.done) throw new Error('no answer from the script after KILL');
  const killedAtMs = Date.now();
  await produce(90, 90);
  const movedTo = await leaderOf(0);
  if (movedTo === victim || movedTo < 0) throw new Error(`partition 0 still led by ${movedTo} after killing broker ${victim}`);
  await consumedAll('after the kill');
  console.log(`OK partition 0 moved from broker ${victim} to ${movedTo}; ${acked.length} acknowledged messages all consumed (${Date.now() - killedAtMs} ms after the kill)`);
  await producer.disconnect();
  await consumer.disconnect();
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(`FAILED ${(err as Error).message}`);
  process.exit(1);
});
