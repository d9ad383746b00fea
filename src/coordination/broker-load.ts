/**
 * Broker load as the controller sees it: each broker publishes `loads/<id>` under its
 * registration lease (so a dead broker's report goes with it), refreshed while it runs
 * (src/broker/cluster/load-reporter.ts). The controller places partitions by partition count,
 * then by this load (assignment.ts): of two brokers with as many partitions, the one taking
 * fewer messages per second gets the next partition.
 */
import type { ClusterKeys } from './keys';
import type { MetadataStore } from './metadata-store';

export interface BrokerLoad {
  brokerId: number;
  /** Records appended per second to the partitions this broker leads, over the last report interval. */
  messagesInPerSec: number;
  sampledAtMs: number;
}

export function encodeBrokerLoad(load: BrokerLoad): string {
  return JSON.stringify(load);
}

/** A report's load, or null for a malformed value (never trusted as zero). */
export function decodeBrokerLoad(value: string): BrokerLoad | null {
  try {
    const parsed = JSON.parse(value) as Partial<BrokerLoad>;
    const { brokerId, messagesInPerSec, sampledAtMs } = parsed;
    if (!Number.isInteger(brokerId) || typeof messagesInPerSec !== 'number' || !Number.isFinite(messagesInPerSec) || messagesInPerSec < 0) return null;
    return { brokerId: brokerId!, messagesInPerSec, sampledAtMs: typeof sampledAtMs === 'number' ? sampledAtMs : 0 };
  } catch {
    return null;
  }
}

/** Each reporting broker's messages in per second (brokers without a report are absent: load unknown, counted as 0). */
export async function listBrokerLoads(store: MetadataStore, keys: ClusterKeys): Promise<Map<number, number>> {
  const loads = new Map<number, number>();
  for (const kv of await store.list(keys.brokerLoadsPrefix)) {
    const load = decodeBrokerLoad(kv.value);
    if (load) loads.set(load.brokerId, load.messagesInPerSec);
  }
  return loads;
}

/** Writes this broker's report under its lease (fails with LEASE_NOT_FOUND once the lease ended). */
export async function publishBrokerLoad(store: MetadataStore, keys: ClusterKeys, load: BrokerLoad, leaseId: string): Promise<void> {
  await store.txn([], [{ type: 'put', key: keys.brokerLoad(load.brokerId), value: encodeBrokerLoad(load), leaseId }]);
}
