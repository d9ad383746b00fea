/**
 * Namespaces and their policies, persisted through the MetadataStore under keys.namespace(name)
 * and kept in memory by a watch, so every broker enforces the same policies. `default` always
 * exists (with no limits unless policies are set on it).
 */
import type { ClusterKeys } from '../../coordination/keys';
import type { MetadataStore, Watch } from '../../coordination/metadata-store';
import { NativeError } from './native-error';
import { DEFAULT_NAMESPACE, validateNamespace } from './topic-names';

export interface NamespacePolicies {
  maxProducersPerTopic?: number;
  maxConsumersPerTopic?: number;
  maxMessageBytes?: number;
  retentionMs?: number;
}

const POLICY_NAMES: Array<keyof NamespacePolicies> = ['maxProducersPerTopic', 'maxConsumersPerTopic', 'maxMessageBytes', 'retentionMs'];

export function validatePolicies(policies: unknown): NamespacePolicies {
  if (policies === undefined || policies === null) return {};
  if (typeof policies !== 'object' || Array.isArray(policies)) throw new NativeError('invalidRequest', 'policies must be an object');
  const out: NamespacePolicies = {};
  for (const [name, value] of Object.entries(policies)) {
    if (!POLICY_NAMES.includes(name as keyof NamespacePolicies)) {
      throw new NativeError('invalidRequest', `unknown namespace policy ${name}; known: ${POLICY_NAMES.join(', ')}`);
    }
    if (!Number.isSafeInteger(value) || (value as number) < (name === 'retentionMs' ? -1 : 0)) {
      throw new NativeError('invalidRequest', `namespace policy ${name} must be a non-negative integer, not ${JSON.stringify(value)}`);
    }
    out[name as keyof NamespacePolicies] = value as number;
  }
  return out;
}

export class NamespaceRegistry {
  private readonly policies = new Map<string, NamespacePolicies>();
  private watch: Watch | null = null;

  private constructor(private readonly store: MetadataStore, private readonly keys: ClusterKeys) {}

  static async open(store: MetadataStore, keys: ClusterKeys): Promise<NamespaceRegistry> {
    const registry = new NamespaceRegistry(store, keys);
    registry.watch = await store.watch(keys.namespacesPrefix, (event) => {
      const name = (event.type === 'put' ? event.kv.key : event.key).slice(keys.namespacesPrefix.length);
      if (event.type === 'put') registry.policies.set(name, JSON.parse(event.kv.value).policies ?? {});
      else registry.policies.delete(name);
    });
    for (const kv of await store.list(keys.namespacesPrefix)) {
      registry.policies.set(kv.key.slice(keys.namespacesPrefix.length), JSON.parse(kv.value).policies ?? {});
    }
    return registry;
  }

  exists(name: string): boolean {
    return name === DEFAULT_NAMESPACE || this.policies.has(name);
  }

  /** Throws namespaceNotFound. */
  policiesOf(name: string): NamespacePolicies {
    if (!this.exists(name)) throw new NativeError('namespaceNotFound', `namespace ${name} does not exist; create it with namespaces.create`);
    return this.policies.get(name) ?? {};
  }

  list(): Array<{ name: string; policies: NamespacePolicies }> {
    const names = new Set([DEFAULT_NAMESPACE, ...this.policies.keys()]);
    return [...names].sort().map((name) => ({ name, policies: this.policies.get(name) ?? {} }));
  }

  async create(name: string, policies: unknown): Promise<void> {
    validateNamespace(name);
    const checked = validatePolicies(policies);
    const key = this.keys.namespace(name);
    if (name === DEFAULT_NAMESPACE) throw new NativeError('alreadyExists', 'namespace default always exists');
    const result = await this.store.txn([{ key, modRevision: 0n }], [{ type: 'put', key, value: JSON.stringify({ name, policies: checked }) }]);
    if (!result.succeeded) throw new NativeError('alreadyExists', `namespace ${name} already exists`);
    this.policies.set(name, checked);
  }

  async setPolicies(name: string, policies: unknown): Promise<void> {
    this.policiesOf(name);
    const checked = validatePolicies(policies);
    await this.store.txn([], [{ type: 'put', key: this.keys.namespace(name), value: JSON.stringify({ name, policies: checked }) }]);
    this.policies.set(name, checked);
  }

  /** `hasTopics` tells whether topics still live in it (they must be deleted first). */
  async delete(name: string, hasTopics: boolean): Promise<void> {
    if (name === DEFAULT_NAMESPACE) throw new NativeError('invalidRequest', 'namespace default cannot be deleted');
    this.policiesOf(name);
    if (hasTopics) throw new NativeError('invalidRequest', `namespace ${name} still has topics; delete them first`);
    await this.store.txn([], [{ type: 'delete', key: this.keys.namespace(name) }]);
    this.policies.delete(name);
  }

  async close(): Promise<void> {
    await this.watch?.cancel();
    this.watch = null;
  }
}
