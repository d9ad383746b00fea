/**
 * A native consumer in its own process, so a test can kill it with SIGKILL mid-stream. Prints one
 * JSON line per delivery ({ offset, redeliveryCount, acked }) after its ack was handed to the
 * client, and acks only its first `ackFirst` deliveries, so it dies holding unacked messages.
 * Usage: native-consumer-child.ts <bootstrap> <topic> <subscription> <type> <name> <priority> <receiverQueueSize> <ackFirst>
 */
import { connect } from '../../../src/client';
import type { SubscriptionType } from '../../../src/protocol/native/messages';

async function main(): Promise<void> {
  const [bootstrap, topic, subscription, type, name, priority, receiverQueueSize, ackFirst] = process.argv.slice(2);
  const client = await connect({ bootstrap, clientName: name });
  const consumer = await client.subscribe({
    topic, subscription, type: type as SubscriptionType, name, priority: Number(priority),
    receiverQueueSize: Number(receiverQueueSize), initialPosition: 'earliest', ackReceipts: true,
  });
  process.stdout.write(`${JSON.stringify({ subscribed: true })}\n`);
  let delivered = 0;
  for await (const m of consumer) {
    const acked = delivered++ < Number(ackFirst);
    // With ackReceipts the ack resolves once the broker persisted it: a line saying acked is a promise kept.
    if (acked) await consumer.ack(m);
    process.stdout.write(`${JSON.stringify({ offset: m.offset.toString(), redeliveryCount: m.redeliveryCount, acked })}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
