/**
 * Admin operations over the native protocol (docs/native-protocol.md §6): JSON in, JSON out.
 */
import type { ClientConnection } from './client-connection';

export class Admin {
  constructor(private readonly connection: () => Promise<ClientConnection>) {}

  async call<T = Record<string, unknown>>(operation: string, request: Record<string, unknown> = {}): Promise<T> {
    const reply = await (await this.connection()).request({ type: 'admin', operation, request: JSON.stringify(request) });
    if (reply.type !== 'adminResult') throw new Error(`admin ${operation} got ${reply.type}`);
    return JSON.parse(reply.result) as T;
  }

  listTopics(namespace?: string) {
    return this.call<{ topics: Array<{ name: string; kafkaName: string; partitions: number }> }>('topics.list', namespace ? { namespace } : {});
  }

  createTopic(topic: string, options: { partitions?: number; reliable?: boolean; schema?: { type: string; definition?: unknown } } = {}) {
    return this.call('topics.create', { topic, ...options });
  }

  describeTopic(topic: string) {
    return this.call('topics.describe', { topic });
  }

  deleteTopic(topic: string) {
    return this.call('topics.delete', { topic });
  }

  listSubscriptions(topic: string) {
    return this.call<{ subscriptions: Array<{ name: string; type: string | null; consumers: string[]; backlog: number | null }> }>('subscriptions.list', { topic });
  }

  deleteSubscription(topic: string, subscription: string) {
    return this.call('subscriptions.delete', { topic, subscription });
  }

  listNamespaces() {
    return this.call<{ namespaces: Array<{ name: string; policies: Record<string, number> }> }>('namespaces.list');
  }

  createNamespace(namespace: string, policies: Record<string, number> = {}) {
    return this.call('namespaces.create', { namespace, policies });
  }

  setNamespacePolicies(namespace: string, policies: Record<string, number>) {
    return this.call('namespaces.setPolicies', { namespace, policies });
  }

  deleteNamespace(namespace: string) {
    return this.call('namespaces.delete', { namespace });
  }

  listBrokers() {
    return this.call<{ brokers: Array<{ id: number; address: string }> }>('brokers.list');
  }
}
