/** Reads a topic from the beginning with a kafkajs consumer group until `expected` messages arrived. */
import type { Kafka } from 'kafkajs';

export async function consumeAll(kafka: Kafka, topic: string, groupId: string, expected: number, timeoutMs = 30_000): Promise<string[]> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${seen.length} of ${expected}`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message.value!.toString());
          if (seen.length >= expected) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}
