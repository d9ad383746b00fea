/**
 * Producers open on this broker per topic: enforces access modes (one exclusive producer, or any
 * number of shared ones) and the namespace's maxProducersPerTopic.
 */
import type { AccessMode } from '../../protocol/native/messages';
import { NativeError } from './native-error';

interface OpenProducer {
  name: string;
  accessMode: AccessMode;
}

export class ProducerRegistry {
  private readonly byTopic = new Map<string, Map<string, OpenProducer>>();

  register(topic: string, id: string, producer: OpenProducer, maxProducers: number | undefined): void {
    const open = this.byTopic.get(topic) ?? new Map<string, OpenProducer>();
    const exclusive = [...open.values()].find((p) => p.accessMode === 'exclusive');
    if (exclusive) throw new NativeError('producerBusy', `topic ${topic} has exclusive producer ${exclusive.name}`);
    if (producer.accessMode === 'exclusive' && open.size > 0) {
      throw new NativeError('producerBusy', `topic ${topic} already has ${open.size} producer(s); exclusive access refused`);
    }
    if (maxProducers !== undefined && open.size >= maxProducers) {
      throw new NativeError('policyViolation', `topic ${topic} reached its namespace limit of ${maxProducers} producers`);
    }
    open.set(id, producer);
    this.byTopic.set(topic, open);
  }

  unregister(topic: string, id: string): void {
    const open = this.byTopic.get(topic);
    open?.delete(id);
    if (open?.size === 0) this.byTopic.delete(topic);
  }

  count(topic: string): number {
    return this.byTopic.get(topic)?.size ?? 0;
  }
}
