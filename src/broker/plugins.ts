/**
 * Broker plugins, one line each: consumer groups and idempotent producers (src/broker/groups,
 * src/broker/producers) and the native protocol (src/broker/native) register here.
 */
import { groupsPlugin } from './groups/groups-plugin';
import { nativePlugin } from './native/native-plugin';
import { producersPlugin } from './producers/producers-plugin';
import type { BrokerPlugin } from './services';

export const brokerPlugins: BrokerPlugin[] = [nativePlugin(), groupsPlugin(), producersPlugin()];
