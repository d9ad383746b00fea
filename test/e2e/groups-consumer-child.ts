/**
 * A kafkajs group member in its own process, so a test can freeze it (SIGSTOP) and watch the
 * coordinator expire its session. Prints each assignment as a JSON line.
 * Usage: groups-consumer-child.ts <bootstrap> <groupId> <topic> <sessionTimeoutMs>
 */
import { Kafka, logLevel } from 'kafkajs';

async function main(): Promise<void> {
  const [bootstrap, groupId, topic, sessionTimeoutMs] = process.argv.slice(2);
  const kafka = new Kafka({ clientId: 'frozen-member', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId, sessionTimeout: Number(sessionTimeoutMs), heartbeatInterval: 500, rebalanceTimeout: 10_000, maxWaitTimeInMs: 200 });
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    process.stdout.write(`${JSON.stringify({ assigned: e.payload.memberAssignment[topic] ?? [] })}\n`);
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ eachMessage: async () => undefined });
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
