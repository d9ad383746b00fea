/**
 * `tributary admin --etcd HOST:PORT[,…] …`: cluster administration straight on the metadata
 * store (no broker connection needed): brokers with their state, partitions with owners and
 * leader epochs, draining a broker, moving a partition.
 */
import { parseArgs } from 'node:util';
import { type PartitionAssignment, listAssignments } from '../coordination/assignment';
import { listBrokers } from '../coordination/broker-registry';
import { clusterKeys, type ClusterKeys } from '../coordination/keys';
import type { MetadataStore } from '../coordination/metadata-store';
import { openMetadataStore } from '../coordination/open-store';
import { listPins, pinHolds } from '../coordination/partition-pin';
import { loadConfig } from '../config/load';
import { readDrain, writeDrain } from '../broker/cluster/drain';
import { COORDINATION_LIMITS } from '../limits';
import { movePartition } from './partition-move';

export const CLUSTER_ADMIN_USAGE = `tributary admin [--etcd HOST:PORT[,HOST:PORT...] | --config FILE] [--prefix /tributary] brokers list
  tributary admin --etcd HOST:PORT[,...] partitions list [TOPIC]
  tributary admin --etcd HOST:PORT[,...] broker drain ID [--timeout-ms N]
  tributary admin --etcd HOST:PORT[,...] partition move TOPIC PARTITION BROKER_ID [--force] [--timeout-ms N]
      (or --to BROKER_ID; hands the partition off without loss and pins it there; --force: when that is
      impossible, i.e. no object store or a dead owner, bump the epoch directly, losing a durability local tail)`;

const CLUSTER_AREAS = new Set(['broker', 'partition', 'partitions']);

/**
 * True for the cluster commands: arguments naming etcd, or an area only they have
 * (`broker drain`, `partitions list`, `partition move`); otherwise the native-protocol ones.
 */
export function isClusterAdmin(args: string[]): boolean {
  return args.some((a) => a === '--etcd' || a.startsWith('--etcd=')) || CLUSTER_AREAS.has(args.find((a) => !a.startsWith('-')) ?? '');
}

export async function clusterAdminCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true, strict: true,
    options: { etcd: { type: 'string' }, prefix: { type: 'string' }, config: { type: 'string' }, 'timeout-ms': { type: 'string' },
      to: { type: 'string' }, force: { type: 'boolean' } },
  });
  // Arguments are checked before etcd is dialled: a typo gets its usage error at once.
  const command = parseCommand(positionals, values);
  // Without --etcd: the broker's own config (--config FILE, TRIBUTARY_METADATA_ETCD_ENDPOINTS).
  const configured = loadConfig({ file: values.config });
  const endpoints = (values.etcd ?? configured.metadata.etcdEndpoints.join(',')).split(',').filter((e) => e !== '').map((e) => (e.includes('://') ? e : `http://${e}`));
  const store = await openMetadataStore({ store: 'etcd', dataDir: '.', etcdEndpoints: endpoints });
  try {
    return await command(store, clusterKeys(values.prefix ?? configured.metadata.clusterPrefix));
  } finally {
    await store.close();
  }
}

type ClusterCommand = (store: MetadataStore, keys: ClusterKeys) => Promise<number>;

function parseCommand(positionals: string[], values: { 'timeout-ms'?: string; to?: string; force?: boolean }): ClusterCommand {
  const [area, action, ...rest] = positionals;
  const timeoutMs = (fallbackMs: number) => (values['timeout-ms'] === undefined ? fallbackMs : positiveArg(values['timeout-ms'], '--timeout-ms'));
  switch (`${area} ${action}`) {
    case 'brokers list': return async (store, keys) => print(await brokersWithRoles(store, keys));
    case 'partitions list': return async (store, keys) => print(await partitionsOf(store, keys, rest[0]));
    case 'broker drain': {
      const [brokerId, waitMs] = [intArg(rest[0], 'ID'), timeoutMs(60_000)];
      return (store, keys) => drainBroker(store, keys, brokerId, waitMs);
    }
    case 'partition move': {
      const request = {
        topic: topicArg(rest[0]), partition: intArg(rest[1], 'PARTITION'), to: targetArg(rest[2], values.to),
        force: values.force === true, timeoutMs: timeoutMs(COORDINATION_LIMITS.partitionMoveWaitMsDefault),
        progress: (line: string) => { process.stderr.write(`${line}\n`); },
      };
      return async (store, keys) => print(await movePartition(store, keys, request));
    }
    default: throw new Error(`usage: ${CLUSTER_ADMIN_USAGE}`);
  }
}

function print(value: unknown): number {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  return 0;
}

function intArg(text: string | undefined, name: string): number {
  const n = Number(text);
  if (text === undefined || !Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer${text === undefined ? ' (missing)' : `, not ${text}`}\nusage: ${CLUSTER_ADMIN_USAGE}`);
  return n;
}

function positiveArg(text: string, name: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, not ${text}\nusage: ${CLUSTER_ADMIN_USAGE}`);
  return n;
}

function topicArg(text: string | undefined): string {
  if (text === undefined || text === '') throw new Error(`usage: ${CLUSTER_ADMIN_USAGE}`);
  return text;
}

/** BROKER_ID as the third argument (the original form) or as --to; both must then agree. */
function targetArg(positional: string | undefined, flag: string | undefined): number {
  if (positional !== undefined && flag !== undefined && positional !== flag) {
    throw new Error(`conflicting arguments: BROKER_ID ${positional} and --to ${flag} disagree; give the target once\nusage: ${CLUSTER_ADMIN_USAGE}`);
  }
  return intArg(positional ?? flag, 'BROKER_ID');
}

async function brokersWithRoles(store: MetadataStore, keys: ClusterKeys) {
  const controller = await store.get(keys.controller);
  const controllerId = controller ? (JSON.parse(controller.value) as { brokerId: number }).brokerId : null;
  const assignments = await listAssignments(store, keys);
  return (await listBrokers(store, keys)).map((b) => ({
    ...b,
    controller: b.brokerId === controllerId,
    partitions: assignments.filter((a) => a.brokerId === b.brokerId).length,
  }));
}

async function partitionsOf(store: MetadataStore, keys: ClusterKeys, topic?: string) {
  const live = new Set((await listBrokers(store, keys)).map((b) => b.brokerId));
  const pins = new Map((await listPins(store, keys)).map((p) => [`${p.topic}/${p.partition}`, p]));
  return (await listAssignments(store, keys))
    .filter((a) => topic === undefined || a.topic === topic)
    .map((a: PartitionAssignment & { modRevision: bigint }) => {
      const pin = pins.get(`${a.topic}/${a.partition}`);
      return { topic: a.topic, partition: a.partition, owner: a.brokerId, leaderEpoch: a.leaderEpoch, ownerLive: live.has(a.brokerId),
        pinned: pin !== undefined && pinHolds(pin, a) };
    });
}

async function drainBroker(store: MetadataStore, keys: ClusterKeys, brokerId: number, timeoutMs: number): Promise<number> {
  if (!(await listBrokers(store, keys)).some((b) => b.brokerId === brokerId)) throw new Error(`broker ${brokerId} is not registered (not running)`);
  const requestedAtMs = Date.now();
  await writeDrain(store, keys, brokerId, { state: 'requested', requestedAtMs });
  const deadline = requestedAtMs + timeoutMs;
  for (;;) {
    const record = await readDrain(store, keys, brokerId);
    if (record?.state === 'done') {
      process.stdout.write(`broker ${brokerId} drained: every partition uploaded and handed off; it can be stopped now\n`);
      return 0;
    }
    if (record?.state === 'failed') throw new Error(`broker ${brokerId} could not drain: ${record.message}`);
    if (Date.now() > deadline) throw new Error(`broker ${brokerId} did not finish draining within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
