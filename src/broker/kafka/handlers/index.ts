/**
 * The Kafka handlers a broker serves, one line each. ApiVersions is added by the registry
 * builder (it answers from this table). Plugins (consumer groups, producer ids) add theirs.
 */
import type { KafkaHandler } from '../handler';
import type { BrokerServices } from '../../services';
import { alterConfigsHandler, incrementalAlterConfigsHandler } from './alter-configs';
import { createPartitionsHandler } from './create-partitions';
import { createTopicsHandler } from './create-topics';
import { deleteTopicsHandler } from './delete-topics';
import { describeClusterHandler } from './describe-cluster';
import { describeConfigsHandler } from './describe-configs';
import { fetchHandler } from './fetch';
import { listOffsetsHandler } from './list-offsets';
import { metadataHandler } from './metadata';
import { produceHandler } from './produce';

export const coreHandlers: Array<(services: BrokerServices) => KafkaHandler> = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  createTopicsHandler,
  deleteTopicsHandler,
  createPartitionsHandler,
  describeConfigsHandler,
  alterConfigsHandler,
  incrementalAlterConfigsHandler,
  describeClusterHandler,
];
