/**
 * DescribeConfigs (32): every known topic config with its value, default or set on the topic
 * (topic-config.ts), and the broker-level defaults behind them under Kafka's broker names.
 */
import type { KafkaHandler } from '../handler';
import type { BrokerServices } from '../../services';
import { DomainError } from '../../errors';
import { describeTopicConfigs } from '../../topics/topic-config';
import { ErrorCode } from '../error-codes';
import { errorCodeFor, errorMessageFor } from '../error-mapping';
import { ConfigSource, configSourceOf, configTypeOf } from './config-wire';

const RESOURCE_TOPIC = 2;
const RESOURCE_BROKER = 4;

interface DescribeConfigsResource {
  resourceType: number;
  resourceName: string;
  configurationKeys: string[] | null;
}

interface DescribeConfigsRequest {
  resources: DescribeConfigsResource[];
}

interface ConfigRow {
  name: string;
  value: string;
  source: number;
  type: number;
}

function row(r: ConfigRow) {
  return {
    name: r.name, value: r.value, readOnly: r.source === ConfigSource.STATIC_BROKER_CONFIG,
    isDefault: r.source === ConfigSource.DEFAULT_CONFIG, configSource: r.source, isSensitive: false,
    synonyms: [], configType: r.type, documentation: null,
  };
}

export function describeConfigsHandler(services: BrokerServices): KafkaHandler {
  const { topics, config } = services;

  const brokerRows = (): ConfigRow[] => {
    const fixed = (name: string, value: string | number | boolean, type: number) => ({ name, value: String(value), source: ConfigSource.STATIC_BROKER_CONFIG, type });
    return [
      fixed('broker.id', config.broker.id, 3),
      fixed('auto.create.topics.enable', config.topics.autoCreate, 1),
      fixed('num.partitions', config.topics.defaultPartitions, 3),
      fixed('default.replication.factor', 1, 4),
      fixed('log.retention.ms', config.topics.retentionMs, 5),
      fixed('log.retention.bytes', config.topics.retentionBytes, 5),
      fixed('log.segment.bytes', config.topics.segmentBytes, 3),
      fixed('log.roll.ms', config.topics.segmentMs, 5),
      fixed('message.max.bytes', config.topics.maxMessageBytes, 3),
      fixed('log.message.timestamp.type', config.topics.messageTimestampType, 2),
      fixed('socket.request.max.bytes', config.kafka.frameBytesMax, 3),
    ];
  };

  const rowsOf = (resource: DescribeConfigsResource): ConfigRow[] => {
    if (resource.resourceType === RESOURCE_TOPIC) {
      const record = topics.get(resource.resourceName);
      if (!record) throw new DomainError('unknown-topic', `topic ${resource.resourceName} does not exist`);
      return describeTopicConfigs(record.configs, config.topics)
        .map((c) => ({ name: c.name, value: c.value, source: configSourceOf(c.isDefault), type: configTypeOf(c.type) }));
    }
    if (resource.resourceType === RESOURCE_BROKER) {
      if (resource.resourceName !== '' && resource.resourceName !== String(config.broker.id)) {
        throw new DomainError('invalid-request', `this is broker ${config.broker.id}, not ${resource.resourceName}`);
      }
      return brokerRows();
    }
    throw new DomainError('invalid-request', `resource type ${resource.resourceType} has no configs here`);
  };

  const describeOne = (resource: DescribeConfigsResource, remote: string) => {
    const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
    try {
      const keys = resource.configurationKeys;
      const rows = rowsOf(resource).filter((r) => keys === null || keys.includes(r.name));
      return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs: rows.map(row) };
    } catch (err) {
      const errorCode = errorCodeFor(err, { api: 'DescribeConfigs', topic: resource.resourceName, remote });
      return { ...base, errorCode, errorMessage: errorMessageFor(err), configs: [] };
    }
  };

  return {
    apiKey: 32,
    minVersion: 0,
    maxVersion: 4,
    handle: async (request: DescribeConfigsRequest, ctx) => ({
      throttleTimeMs: 0,
      results: request.resources.map((r) => describeOne(r, ctx.connection.remote)),
    }),
    errorResponse: (request: DescribeConfigsRequest, errorCode) => ({
      throttleTimeMs: 0,
      results: request.resources.map((r) => ({
        errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName, configs: [],
      })),
    }),
  };
}
