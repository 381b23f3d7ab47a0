import { randomUUID } from 'node:crypto';
import type { Broker, BrokerListener, BrokerMessage } from '@concord/gateway-server';
import type { StateChange } from '../state/StateChange.js';

/** The broker topic the nodes publish their guild state changes on (no session ever subscribes to it). */
export const COMMUNITY_TOPIC = 'concord:community';

interface SyncData {
  origin: string;
  changes: StateChange[];
}

/**
 * Keeps the guild state of every node of a cluster current. A node applies its own changes at once and publishes them
 * here; every other node applies them when they arrive, so a role or overwrite changed through one node's REST API
 * governs visibility on every node (docs/architecture.md, "Communities"). The topic is ordered per publisher on the
 * brokers this suite ships (in memory, Redis, NATS), which is all the order changes of one guild need: they are made
 * by the node that handled the request.
 */
export class ClusterSync {
  readonly origin = randomUUID();
  #broker: Broker | null = null;
  #listener: BrokerListener | null = null;

  async attach(broker: Broker, apply: (changes: StateChange[]) => void): Promise<void> {
    await this.detach();
    this.#broker = broker;
    this.#listener = (message: BrokerMessage) => {
      const data = message.data as Partial<SyncData> | null;
      if (!data || data.origin === this.origin || !Array.isArray(data.changes)) return;
      apply(data.changes);
    };
    await broker.subscribe(COMMUNITY_TOPIC, this.#listener);
  }

  publish(changes: StateChange[]): void {
    const broker = this.#broker;
    if (!broker || changes.length === 0) return;
    const message: BrokerMessage = {
      event: 'CONCORD_COMMUNITY_STATE',
      data: { origin: this.origin, changes } satisfies SyncData,
      intent: null,
      target: { type: 'guild', guildId: '0' },
      createdAt: Date.now(),
    };
    void Promise.resolve(broker.publish(COMMUNITY_TOPIC, message)).catch(() => undefined);
  }

  async detach(): Promise<void> {
    if (this.#broker && this.#listener) await this.#broker.unsubscribe(COMMUNITY_TOPIC, this.#listener);
    this.#broker = null;
    this.#listener = null;
  }
}
