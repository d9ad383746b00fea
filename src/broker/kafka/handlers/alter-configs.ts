/**
 * AlterConfigs (33) and IncrementalAlterConfigs (44, KIP-339) for topics, on any broker: the new
 * configs are validated like CreateTopics' and written to the topic record as a compare-and-swap
 * (TopicRegistry.alterConfigs); every broker then applies them to the partitions it has open
 * (retention, segments, flush policy, durability, max.message.bytes, timestamp type).
 *
 * AlterConfigs replaces the topic's whole set: a config left out goes back to its default, as in
 * Kafka. IncrementalAlterConfigs changes only what it names: SET (0) and DELETE (1); APPEND (2)
 * and SUBTRACT (3) apply to list configs, and no topic config here is a list, so they fail with
 * INVALID_CONFIG. Broker configs are static (the YAML config): a BROKER resource fails with
 * INVALID_REQUEST naming that. Each resource succeeds or fails on its own.
 */
import type { KafkaHandler, RequestContext } from '../handler';
import type { BrokerServices } from '../../services';
import { DomainError } from '../../errors';
import { ErrorCode } from '../error-codes';
import { errorCodeFor, errorMessageFor } from '../error-mapping';

const RESOURCE_TOPIC = 2;
const RESOURCE_BROKER = 4;

const OP_SET = 0;
const OP_DELETE = 1;

interface AlterableConfig {
  name: string;
  value: string | null;
  /** IncrementalAlterConfigs only. */
  configOperation?: number;
}

interface AlterResource {
  resourceType: number;
  resourceName: string;
  configs: AlterableConfig[];
}

interface AlterConfigsRequest {
  resources: AlterResource[];
  validateOnly: boolean;
}

type Apply = (current: Record<string, string>, configs: AlterableConfig[]) => Record<string, string>;

/** AlterConfigs: the request's configs are the topic's whole set. */
const replaceAll: Apply = (_current, configs) => {
  const next: Record<string, string> = {};
  for (const c of configs) {
    if (c.value === null) throw new DomainError('invalid-config', `topic config ${c.name} has a null value`);
    next[c.name] = c.value;
  }
  return next;
};

/** IncrementalAlterConfigs: SET and DELETE on the current set. */
const incremental: Apply = (current, configs) => {
  const next = { ...current };
  for (const c of configs) {
    if (c.configOperation === OP_SET) {
      if (c.value === null) throw new DomainError('invalid-config', `SET of topic config ${c.name} has a null value`);
      next[c.name] = c.value;
    } else if (c.configOperation === OP_DELETE) {
      delete next[c.name];
    } else {
      throw new DomainError('invalid-config', `operation ${c.configOperation} on ${c.name}: APPEND (2) and SUBTRACT (3) apply to list configs, and no topic config here is a list; use SET (0) or DELETE (1)`);
    }
  }
  return next;
};

function alterConfigsHandlerOf(apiKey: 33 | 44, maxVersion: number, api: string, apply: Apply) {
  return (services: BrokerServices): KafkaHandler => {
    const { topics, config } = services;
    const tierOn = config.tier.enabled || config.tier.objectStore !== '';

    const alterOne = async (resource: AlterResource, validateOnly: boolean, ctx: RequestContext) => {
      const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
      try {
        if (resource.resourceType === RESOURCE_BROKER) {
          throw new DomainError('invalid-request', 'broker configs are static here: set them in the YAML config (--config) or TRIBUTARY_* variables and restart');
        }
        if (resource.resourceType !== RESOURCE_TOPIC) throw new DomainError('invalid-request', `resource type ${resource.resourceType} has no configs here`);
        const names = resource.configs.map((c) => c.name);
        const repeated = names.find((name, i) => names.indexOf(name) !== i);
        if (repeated !== undefined) throw new DomainError('invalid-request', `config ${repeated} appears more than once for ${resource.resourceName}`);
        await topics.alterConfigs(resource.resourceName, (current) => {
          const next = apply(current, resource.configs);
          if (next.durability === 'cloud' && !tierOn) {
            throw new DomainError('invalid-config', 'durability cloud needs the object-store tier, which this broker does not run (tier.enabled or --object-store)');
          }
          return next;
        }, validateOnly);
        return { ...base, errorCode: ErrorCode.NONE, errorMessage: null };
      } catch (err) {
        const errorCode = errorCodeFor(err, { api, topic: resource.resourceName, remote: ctx.connection.remote });
        return { ...base, errorCode, errorMessage: errorMessageFor(err) };
      }
    };

    return {
      apiKey,
      minVersion: 0,
      maxVersion,
      async handle(request: AlterConfigsRequest, ctx) {
        // One at a time: two resources naming one topic then apply in request order.
        const responses = [];
        for (const resource of request.resources) responses.push(await alterOne(resource, request.validateOnly, ctx));
        return { throttleTimeMs: 0, responses };
      },
      errorResponse: (request: AlterConfigsRequest, errorCode) => ({
        throttleTimeMs: 0,
        responses: request.resources.map((r) => ({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName })),
      }),
    };
  };
}

export const alterConfigsHandler = alterConfigsHandlerOf(33, 2, 'AlterConfigs', replaceAll);
export const incrementalAlterConfigsHandler = alterConfigsHandlerOf(44, 1, 'IncrementalAlterConfigs', incremental);
