/**
 * Which consumer of a subscription may take the next message: the active one for Exclusive and
 * Failover, the key's consumer for Key_Shared (keyless messages round-robin), round-robin over
 * those with room for Shared. A consumer has room while it holds permits, is under the unacked
 * limit and its connection is not backpressured.
 */
import type { SubscriptionType } from '../../../protocol/native/messages';
import type { ConsumerState } from './run-delivery';
import { consumerForKey } from './selectors';
import type { StoredMessage } from './types';

export class ConsumerPicker {
  private roundRobin = 0;

  constructor(private readonly unackedMessagesMax: number) {}

  canTake(state: ConsumerState | undefined): state is ConsumerState {
    return state !== undefined && state.permits > 0 && state.unacked < this.unackedMessagesMax
      && !state.consumer.backpressured?.();
  }

  anyCanTake(consumers: Map<string, ConsumerState>): boolean {
    for (const state of consumers.values()) if (this.canTake(state)) return true;
    return false;
  }

  pick(type: SubscriptionType, consumers: Map<string, ConsumerState>, activeId: string | null, message: StoredMessage): ConsumerState | undefined {
    switch (type) {
      case 'exclusive':
      case 'failover': {
        const active = activeId ? consumers.get(activeId) : undefined;
        return this.canTake(active) ? active : undefined;
      }
      case 'key_shared':
        if (message.key !== null && message.key.length > 0) {
          const chosen = consumerForKey(message.key, [...consumers.values()].map((s) => s.consumer));
          const state = chosen ? consumers.get(chosen.id) : undefined;
          return this.canTake(state) ? state : undefined;
        }
        return this.pickRoundRobin(consumers);
      case 'shared':
        return this.pickRoundRobin(consumers);
    }
  }

  private pickRoundRobin(consumers: Map<string, ConsumerState>): ConsumerState | undefined {
    const states = [...consumers.values()];
    for (let n = 0; n < states.length; n++) {
      const state = states[(this.roundRobin + n) % states.length];
      if (this.canTake(state)) {
        this.roundRobin = (this.roundRobin + n + 1) % states.length;
        return state;
      }
    }
    return undefined;
  }
}
