import type { BrokerListener, BrokerMessage } from '../Broker.js';

/**
 * Local listeners per topic, shared by the bus brokers: the bus subscription for a topic exists exactly while at least
 * one local listener wants it, so a node only carries the traffic of the guilds/users/sessions it holds.
 */
export class TopicListeners {
  readonly #topics = new Map<string, Set<BrokerListener>>();

  /** Adds a listener; true when the topic is new here (the caller subscribes on the bus). */
  add(topic: string, listener: BrokerListener): boolean {
    let set = this.#topics.get(topic);
    const fresh = !set;
    if (!set) {
      set = new Set();
      this.#topics.set(topic, set);
    }
    set.add(listener);
    return fresh;
  }

  /** Removes a listener; true when the topic has no listener left (the caller unsubscribes on the bus). */
  remove(topic: string, listener: BrokerListener): boolean {
    const set = this.#topics.get(topic);
    if (!set) return false;
    set.delete(listener);
    if (set.size > 0) return false;
    this.#topics.delete(topic);
    return true;
  }

  has(topic: string): boolean {
    return this.#topics.has(topic);
  }

  topics(): string[] {
    return [...this.#topics.keys()];
  }

  clear(): void {
    this.#topics.clear();
  }

  /** Delivers to the listeners of a topic; a throwing listener is isolated from the others (and from the driver). */
  deliver(topic: string, message: BrokerMessage, onError: (error: unknown) => void): void {
    const set = this.#topics.get(topic);
    if (!set) return;
    for (const listener of set) {
      try {
        listener(message);
      } catch (error) {
        onError(error);
      }
    }
  }
}
