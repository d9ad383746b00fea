import { COORDINATION_LIMITS } from '../limits';
import { componentLogger } from '../log';
import { CoordinationError } from './errors';
import type { ClusterKeys } from './keys';
import type { Lease, MetadataStore } from './metadata-store';

const log = componentLogger('broker-registry');

export type BrokerState = 'starting' | 'running' | 'draining';

/** The value under keys.broker(id), held under the broker's lease. */
export interface BrokerRegistration {
  brokerId: number;
  host: string;
  port: number;
  rack: string | null;
  state: BrokerState;
}

export interface RegisterOptions {
  /** Lease TTL: how long after a crash the cluster still counts the broker as live (default clusterLeaseTtlMsDefault). */
  ttlMs?: number;
  /**
   * How long to wait for an existing registration of the same id to go away before refusing.
   * A broker restarted right after a crash finds its old registration until the old lease
   * expires (etcd); waiting one TTL and a little covers that. Default: 2 x ttlMs.
   */
  takeoverWaitMs?: number;
}

export interface RegisteredBroker {
  readonly registration: BrokerRegistration;
  readonly lease: Lease;
  /** Changes the advertised state (e.g. running -> draining); fails if the registration is gone. */
  setState(state: BrokerState): Promise<void>;
  /** Called once if the lease is lost: the cluster no longer counts this broker as live. */
  onLost(listener: () => void): void;
  /** Removes the registration now (revokes the lease). */
  deregister(): Promise<void>;
}

/**
 * Registers a broker under a lease with create-if-absent, so two live brokers can never share
 * an id: the second is refused with DUPLICATE_BROKER_ID naming the holder.
 */
export async function registerBroker(store: MetadataStore, keys: ClusterKeys, registration: BrokerRegistration,
  options: RegisterOptions = {}): Promise<RegisteredBroker> {
  validateRegistration(registration);
  const key = keys.broker(registration.brokerId);
  const ttlMs = options.ttlMs ?? COORDINATION_LIMITS.clusterLeaseTtlMsDefault;
  const lease = await store.grantLease(ttlMs);
  const giveUpAtMs = Date.now() + (options.takeoverWaitMs ?? 2 * ttlMs);
  try {
    for (;;) {
      const holder = await tryCreate(store, key, registration, lease);
      if (holder === null) break;
      if (Date.now() >= giveUpAtMs) {
        throw new CoordinationError('DUPLICATE_BROKER_ID', `broker id ${registration.brokerId} is already registered by a live broker ` +
          `at ${holder.host}:${holder.port} (key ${key}); give each broker a distinct id`);
      }
      log.info({ brokerId: registration.brokerId, holder }, 'broker id still registered; waiting for the old lease to expire');
      await new Promise((resolve) => setTimeout(resolve, Math.min(COORDINATION_LIMITS.clusterRetryDelayMsMax, Math.max(50, ttlMs / 4))));
    }
  } catch (error) {
    await lease.revoke().catch(() => undefined);
    throw error;
  }
  log.info({ brokerId: registration.brokerId, leaseId: lease.id }, 'broker registered');
  return registeredBroker(store, key, { ...registration }, lease);
}

export async function listBrokers(store: MetadataStore, keys: ClusterKeys): Promise<BrokerRegistration[]> {
  const kvs = await store.list(keys.brokersPrefix);
  return kvs.map((kv) => JSON.parse(kv.value) as BrokerRegistration).sort((a, b) => a.brokerId - b.brokerId);
}

/** null when this lease now holds the key; otherwise the registration holding it. */
async function tryCreate(store: MetadataStore, key: string, registration: BrokerRegistration, lease: Lease):
  Promise<BrokerRegistration | null> {
  const result = await store.txn([{ key, modRevision: 0n }],
    [{ type: 'put', key, value: JSON.stringify(registration), leaseId: lease.id }]);
  if (result.succeeded) return null;
  const current = await store.get(key);
  if (current === null) return tryCreate(store, key, registration, lease);
  // A retried create (etcd) may have applied on its first attempt: then the key is ours.
  if (current.leaseId === lease.id) return null;
  return JSON.parse(current.value) as BrokerRegistration;
}

function registeredBroker(store: MetadataStore, key: string, registration: BrokerRegistration, lease: Lease): RegisteredBroker {
  return {
    registration,
    lease,
    async setState(state: BrokerState) {
      const current = await store.get(key);
      const next = { ...registration, state };
      const result = current?.leaseId === lease.id
        ? await store.txn([{ key, modRevision: current.modRevision }], [{ type: 'put', key, value: JSON.stringify(next), leaseId: lease.id }])
        : { succeeded: false };
      if (!result.succeeded) {
        throw new CoordinationError('FENCED', `broker ${registration.brokerId} registration changed or expired; cannot set state ${state}`);
      }
      registration.state = state;
    },
    onLost: (listener) => lease.onLost(listener),
    deregister: () => lease.revoke(),
  };
}

function validateRegistration(registration: BrokerRegistration): void {
  const { brokerId, host, port } = registration;
  if (!Number.isInteger(brokerId) || brokerId < 0 || brokerId > 0x7fffffff) {
    throw new CoordinationError('INVALID_REQUEST', `broker id must be an integer from 0 to 2147483647, not ${brokerId}`);
  }
  if (typeof host !== 'string' || host.length === 0) throw new CoordinationError('INVALID_REQUEST', 'broker host must be non-empty');
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new CoordinationError('INVALID_REQUEST', `broker port must be from 1 to 65535, not ${port}`);
  }
}
