import { COORDINATION_LIMITS } from '../limits';
import { componentLogger } from '../log';
import { CoordinationError } from './errors';
import type { WatchEvent } from './metadata-store';

const log = componentLogger('watch-hub');

/**
 * Prefix watchers of one store client. Events are handed over in the order dispatched; a
 * throwing listener is logged and never breaks the store or the other watchers.
 */
export class WatchHub {
  private readonly watchers = new Map<number, { prefix: string; onEvent: (event: WatchEvent) => void }>();
  private nextId = 1;

  add(prefix: string, onEvent: (event: WatchEvent) => void): number {
    if (this.watchers.size >= COORDINATION_LIMITS.watchesMax) {
      throw new CoordinationError('STORE_OVERLOADED', `${this.watchers.size} watches already open (watchesMax)`);
    }
    const id = this.nextId++;
    this.watchers.set(id, { prefix, onEvent });
    return id;
  }

  remove(id: number): void {
    this.watchers.delete(id);
  }

  get size(): number {
    return this.watchers.size;
  }

  dispatch(events: WatchEvent[]): void {
    for (const event of events) {
      const key = event.type === 'put' ? event.kv.key : event.key;
      for (const watcher of this.watchers.values()) {
        if (key.startsWith(watcher.prefix)) deliver(watcher.onEvent, event);
      }
    }
  }
}

export function deliver(onEvent: (event: WatchEvent) => void, event: WatchEvent): void {
  try {
    onEvent(event);
  } catch (error) {
    log.error({ err: error }, 'metadata watch listener threw');
  }
}
