/**
 * Per-topic configs with Kafka's names. Each entry knows its broker default (from the
 * `topics` config section), how to validate a value, and its DescribeConfigs type. New configs
 * (durability, local.retention.*) are added as entries of TOPIC_CONFIGS; nothing else changes.
 *
 * flush.policy is Tributary's own: always (fsync before the ack), interval (fsync every
 * storage.flushIntervalMs), never (the OS decides). Kafka's flush.messages/flush.ms are not used.
 */
import type { TributaryConfig } from '../../config/schema';
import { DomainError } from '../errors';

export type TopicDefaults = TributaryConfig['topics'];
export type ConfigType = 'boolean' | 'string' | 'int' | 'short' | 'long' | 'double' | 'list' | 'class' | 'password';

export interface TopicConfigEntry {
  type: ConfigType;
  defaultValue(defaults: TopicDefaults): string;
  /** An error message when the value is not acceptable, else null. */
  check(value: string): string | null;
}

function integer(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => string | null {
  return (value) => {
    const n = /^-?\d+$/.test(value) ? Number(value) : NaN;
    return Number.isSafeInteger(n) && n >= min && n <= max ? null : `must be an integer from ${min} to ${max}`;
  };
}

function oneOf(...values: string[]): (value: string) => string | null {
  return (value) => (values.includes(value) ? null : `must be one of ${values.join(', ')}`);
}

export const TOPIC_CONFIGS: Record<string, TopicConfigEntry> = {
  'retention.ms': { type: 'long', defaultValue: (d) => String(d.retentionMs), check: integer(-1) },
  'retention.bytes': { type: 'long', defaultValue: (d) => String(d.retentionBytes), check: integer(-1) },
  'segment.bytes': { type: 'int', defaultValue: (d) => String(d.segmentBytes), check: integer(14, 2 ** 31 - 1) },
  'segment.ms': { type: 'long', defaultValue: (d) => String(d.segmentMs), check: integer(1) },
  'max.message.bytes': { type: 'int', defaultValue: (d) => String(d.maxMessageBytes), check: integer(0, 2 ** 31 - 1) },
  'message.timestamp.type': {
    type: 'string', defaultValue: (d) => d.messageTimestampType, check: oneOf('CreateTime', 'LogAppendTime'),
  },
  'flush.policy': { type: 'string', defaultValue: (d) => d.flushPolicy, check: oneOf('always', 'interval', 'never') },
  // Kafka's name and meaning: the active segment's file is extended to segment.bytes up front (storage/wal/segment.ts).
  'preallocate': { type: 'boolean', defaultValue: (d) => String(d.preallocate), check: oneOf('true', 'false') },
  // Tributary's: local = ack after the WAL; cloud = ack once the batch is in a recorded object.
  'durability': { type: 'string', defaultValue: (d) => d.durability, check: oneOf('local', 'cloud') },
  // KIP-405 names: WAL data kept once uploaded; -2 = same as retention.ms / retention.bytes.
  'local.retention.ms': { type: 'long', defaultValue: (d) => String(d.localRetentionMs), check: integer(-2) },
  'local.retention.bytes': { type: 'long', defaultValue: (d) => String(d.localRetentionBytes), check: integer(-2) },
  // Batches are stored as the producer sent them (no recompression) and logs are never compacted.
  'cleanup.policy': { type: 'list', defaultValue: () => 'delete', check: oneOf('delete') },
  'compression.type': { type: 'string', defaultValue: () => 'producer', check: oneOf('producer') },
  // One replica per partition: any acks=-1 write is in the whole ISR, so 1 is the only truthful value.
  'min.insync.replicas': { type: 'int', defaultValue: () => '1', check: oneOf('1') },
};

export interface EffectiveTopicConfig {
  retentionMs: number;
  retentionBytes: number;
  segmentBytes: number;
  segmentMs: number;
  maxMessageBytes: number;
  messageTimestampType: 'CreateTime' | 'LogAppendTime';
  flushPolicy: 'always' | 'interval' | 'never';
  preallocate: boolean;
  durability: 'local' | 'cloud';
  localRetentionMs: number;
  localRetentionBytes: number;
}

/** Throws invalid-config for an unknown name or a bad value. */
export function validateTopicConfigs(configs: Record<string, string>): void {
  for (const [name, value] of Object.entries(configs)) {
    const entry = TOPIC_CONFIGS[name];
    if (!entry) throw new DomainError('invalid-config', `unknown topic config ${name}; known: ${Object.keys(TOPIC_CONFIGS).join(', ')}`);
    if (typeof value !== 'string') throw new DomainError('invalid-config', `topic config ${name} needs a value`);
    const problem = entry.check(value);
    if (problem) throw new DomainError('invalid-config', `topic config ${name}=${value} ${problem}`);
  }
}

/** The value of every known config: the topic's own where set, else the broker default. */
export function describeTopicConfigs(configs: Record<string, string>, defaults: TopicDefaults) {
  return Object.entries(TOPIC_CONFIGS).map(([name, entry]) => ({
    name,
    value: configs[name] ?? entry.defaultValue(defaults),
    isDefault: configs[name] === undefined,
    type: entry.type,
  }));
}

export function effectiveTopicConfig(configs: Record<string, string>, defaults: TopicDefaults): EffectiveTopicConfig {
  const value = (name: string) => configs[name] ?? TOPIC_CONFIGS[name].defaultValue(defaults);
  return {
    retentionMs: Number(value('retention.ms')),
    retentionBytes: Number(value('retention.bytes')),
    segmentBytes: Number(value('segment.bytes')),
    segmentMs: Number(value('segment.ms')),
    maxMessageBytes: Number(value('max.message.bytes')),
    messageTimestampType: value('message.timestamp.type') as EffectiveTopicConfig['messageTimestampType'],
    flushPolicy: value('flush.policy') as EffectiveTopicConfig['flushPolicy'],
    preallocate: value('preallocate') === 'true',
    durability: value('durability') as EffectiveTopicConfig['durability'],
    localRetentionMs: Number(value('local.retention.ms')),
    localRetentionBytes: Number(value('local.retention.bytes')),
  };
}
