/**
 * The one config schema: every knob with its default, allowed values and documentation.
 * Sources, lowest precedence first: these defaults, the YAML file (--config), TRIBUTARY_*
 * environment variables, CLI flags. config/tributary.example.yml documents every knob, and a
 * test keeps it in step with this file.
 */
import {
  boolKnob, enumKnob, hostPortKnob, intKnob, isKnob, Knob, listKnob, optionalHostPortKnob, stringKnob,
} from './knobs';
import {
  CLUSTER_SERVING_LIMITS, CONNECTION_LIMITS, GROUP_LIMITS, KAFKA_BROKER_LIMITS, NATIVE_LIMITS, PROCESS_LIMITS, STORAGE_LIMITS, TIER_LIMITS,
} from '../limits';

const INT32_MAX = 2 ** 31 - 1;
const INT53_MAX = Number.MAX_SAFE_INTEGER;
const DAY_MS = 24 * 60 * 60 * 1000;

export const configSchema = {
  broker: {
    id: intKnob(0, 0, INT32_MAX, 'Broker id, unique in the cluster (Kafka node_id).'),
    listen: hostPortKnob('127.0.0.1:9092', 'Address the listener binds (Kafka and native protocols share it).'),
    advertise: optionalHostPortKnob('Address clients are told to connect to; "" means the listen address.'),
    rack: stringKnob('', 'Rack reported in Metadata; "" means none.', /^.*$/, 'any string'),
    connectionsMax: intKnob(CONNECTION_LIMITS.connectionsMax, 1, 1_000_000, 'Connections open at once on the listener; more are closed on accept.'),
  },
  data: {
    dir: stringKnob('./data', 'Directory holding the WAL and the embedded metadata store.'),
  },
  log: {
    level: enumKnob('info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'Log level.'),
  },
  runtime: {
    heapGrowingPercent: intKnob(PROCESS_LIMITS.heapGrowingPercent, 0, 10_000,
      'V8 heap growing factor of the broker process, as 1 + percent/100 of the live heap (fewer mark-compacts under large produce requests); 0 = V8\'s own heuristic. A --heap-growing-percent given to node wins.'),
  },
  metadata: {
    store: enumKnob('embedded', ['embedded', 'etcd'], 'Where cluster metadata lives: embedded (single node) or etcd.'),
    etcdEndpoints: listKnob(['http://127.0.0.1:2379'], 'etcd endpoints when metadata.store is etcd.'),
    clusterPrefix: stringKnob('/tributary', 'Key prefix of this cluster in the metadata store.'),
    leaseTtlMs: intKnob(CLUSTER_SERVING_LIMITS.leaseTtlMsDefault, 1000, 600_000,
      'Lease TTL of broker registrations and the controller (etcd): a dead broker\'s partitions move after about this long.'),
  },
  topics: {
    autoCreate: boolKnob(true, 'Create unknown topics on Metadata requests that allow it (auto.create.topics.enable).'),
    defaultPartitions: intKnob(1, 1, 100_000, 'Partitions of an auto-created topic (num.partitions).'),
    retentionMs: intKnob(7 * DAY_MS, -1, INT53_MAX, 'Default retention.ms; -1 keeps data forever.'),
    retentionBytes: intKnob(-1, -1, INT53_MAX, 'Default retention.bytes per partition; -1 means no limit.'),
    segmentBytes: intKnob(STORAGE_LIMITS.segmentBytesDefault, 14, INT32_MAX, 'Default segment.bytes: WAL segment size before rotation.'),
    segmentMs: intKnob(7 * DAY_MS, 1, INT53_MAX, 'Default segment.ms: WAL segment age before rotation.'),
    maxMessageBytes: intKnob(1024 * 1024 + 12, 0, INT32_MAX, 'Default max.message.bytes: largest record batch accepted.'),
    messageTimestampType: enumKnob('CreateTime', ['CreateTime', 'LogAppendTime'], 'Default message.timestamp.type.'),
    durability: enumKnob('local', ['local', 'cloud'],
      'Default durability: local = acknowledge after the WAL; cloud = acknowledge once the batch is in a recorded object (needs the tier).'),
    localRetentionMs: intKnob(-2, -2, INT53_MAX, 'Default local.retention.ms: WAL data kept locally once uploaded; -2 = same as retention.ms (tier only).'),
    localRetentionBytes: intKnob(-2, -2, INT53_MAX, 'Default local.retention.bytes per partition once uploaded; -2 = same as retention.bytes (tier only).'),
    preallocate: boolKnob(true, 'Default preallocate: extend a new WAL segment file to segment.bytes up front (sparse) so appends do not grow it and fsyncs commit no size change; trimmed when sealed. Turn off on a filesystem without sparse files.'),
    flushPolicy: enumKnob('interval', ['always', 'interval', 'never'],
      'Default flush.policy: always = fsync before acknowledging; interval = fsync every storage.flushIntervalMs; never = leave it to the OS.'),
  },
  storage: {
    flushIntervalMs: intKnob(100, 1, 60_000, 'fsync period for topics with flush.policy interval.'),
    tailCacheBytes: intKnob(STORAGE_LIMITS.tailCacheBytesMax, 0, INT53_MAX, 'Bytes of recent batches cached in memory for tail reads, all partitions together.'),
  },
  groups: {
    initialRebalanceDelayMs: intKnob(GROUP_LIMITS.initialRebalanceDelayMsDefault, 0, GROUP_LIMITS.joinWaitMsMax,
      'Wait for more members when an Empty consumer group starts rebalancing (Kafka group.initial.rebalance.delay.ms, 3000 there).'),
    sessionTimeoutMsMin: intKnob(GROUP_LIMITS.sessionTimeoutMsMin, 1, INT32_MAX, 'Shortest session timeout JoinGroup accepts (group.min.session.timeout.ms).'),
    sessionTimeoutMsMax: intKnob(GROUP_LIMITS.sessionTimeoutMsMax, 1, INT32_MAX, 'Longest session timeout JoinGroup accepts (group.max.session.timeout.ms).'),
  },
  tier: {
    enabled: boolKnob(false, 'Upload log ranges to object storage; local retention then deletes only uploaded segments.'),
    objectStore: stringKnob('', 'Object store URL (fs:///abs/path, memory://, s3://bucket?region=…, azblob://container?endpoint=…, gcs://bucket); "" = fs under <data.dir>/objects.', /^.*$/, 'a URL or ""'),
    uploadIntervalMs: intKnob(TIER_LIMITS.uploadIntervalMsDefault, 10, 3_600_000, 'Period of the uploader: one object per broker per interval, all partitions together.'),
    retentionIntervalMs: intKnob(TIER_LIMITS.retentionIntervalMsDefault, 100, 86_400_000, 'Period of cloud retention (retention.ms/bytes on objects, deleted topics, orphans).'),
    uploadNice: intKnob(TIER_LIMITS.uploadNiceDefault, 0, 19,
      'CPU priority (Linux nice, per thread) of background uploads\' WAL reads and frame checks, done in a worker thread so the hot path gets the CPU first. 0 = off (reads on the event loop).'),
    opendalNice: intKnob(TIER_LIMITS.opendalNiceDefault, 0, 19,
      'Nice value for opendal\'s threads (object copies and writes of every upload, cloud reads, durability: cloud commits); raised once, never lowered. 0 = left alone. Above 0 slows cloud commits when the broker is CPU-bound.'),
  },
  cloud: {
    commitIntervalMs: intKnob(TIER_LIMITS.cloudCommitIntervalMsDefault, 1, 60_000, 'Group commit period of durability: cloud topics (one object per commit).'),
  },
  kafka: {
    fetchWaitMsMax: intKnob(KAFKA_BROKER_LIMITS.fetchWaitMsMax, 0, 300_000, 'Cap on a Fetch max_wait_ms long poll (clients time out at 30 s).'),
    frameBytesMax: intKnob(CONNECTION_LIMITS.frameBytesMax, 1024, 1024 * 1024 * 1024, 'Largest request frame; a larger one closes the connection (socket.request.max.bytes).'),
    inFlightRequestsMax: intKnob(CONNECTION_LIMITS.inFlightRequestsMax, 1, 1_000_000, 'Requests read but unanswered on one connection before reading pauses.'),
    inFlightBytesMax: intKnob(CONNECTION_LIMITS.inFlightBytesMax, 1024, INT53_MAX, 'Request bytes read but unanswered on one connection before reading pauses.'),
  },
  native: {
    listen: optionalHostPortKnob('Address of an extra native-only listener; "" = none (the shared listener serves both protocols anyway).'),
    authTokens: listKnob([], 'Tokens a native CONNECT must carry one of; empty = no authentication. Keep them out of shared files: prefer the env variable.'),
    ackTimeoutMs: intKnob(NATIVE_LIMITS.ackTimeoutMsDefault, 100, DAY_MS, 'Shared/Key_Shared: unacked messages are redelivered after this long.'),
    maxRedeliveries: intKnob(NATIVE_LIMITS.maxRedeliveriesDefault, 0, 1000, 'Redeliveries of a message before it goes to the dead-letter topic <topic>-<subscription>-DLQ.'),
  },
} as const;

type ValueOf<S> = { -readonly [K in keyof S]: S[K] extends Knob<infer T> ? T : ValueOf<S[K]> };
export type TributaryConfig = ValueOf<typeof configSchema>;

export interface KnobEntry {
  /** Dotted path, e.g. topics.autoCreate */
  path: string;
  knob: Knob<unknown>;
}

/** Every knob with its dotted path, in schema order. */
export function knobEntries(schema: object = configSchema, prefix = ''): KnobEntry[] {
  const out: KnobEntry[] = [];
  for (const [name, value] of Object.entries(schema)) {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    if (isKnob(value)) out.push({ path, knob: value });
    else out.push(...knobEntries(value as object, path));
  }
  return out;
}

/** topics.autoCreate -> TRIBUTARY_TOPICS_AUTO_CREATE */
export function envName(path: string): string {
  return `TRIBUTARY_${path.split('.').map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_')}`;
}
