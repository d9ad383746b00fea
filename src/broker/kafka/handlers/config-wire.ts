/** Config metadata as DescribeConfigs/CreateTopics put it on the wire (Kafka ConfigSource, ConfigType). */
import type { ConfigType } from '../../topics/topic-config';

export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

const CONFIG_TYPES: Record<ConfigType, number> = {
  boolean: 1, string: 2, int: 3, short: 4, long: 5, double: 6, list: 7, class: 8, password: 9,
};

export function configTypeOf(type: ConfigType): number {
  return CONFIG_TYPES[type];
}

export function configSourceOf(isDefault: boolean): number {
  return isDefault ? ConfigSource.DEFAULT_CONFIG : ConfigSource.DYNAMIC_TOPIC_CONFIG;
}
