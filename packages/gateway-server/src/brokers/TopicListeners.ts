import type { BrokerListener, BrokerMessage } from '../Broker.js';
import type { RawBrokerListener } from './BusBroker.js';

type AnyListener = BrokerListener | RawBrokerListener;

/**
 * Local listeners per topic, shared by the bus brokers: the bus subscription for a topic exists exactly while at least
 * one local listener wants it, so a node only carries the traffic of the guilds/users/sessions it holds.
 */
export class TopicListeners {
  readonly #topics = new Map<string, Set<AnyListener>>();
  /** Raw listeners (a host-local relay): they get the bytes as the bus carried them, before any decoding. */
  readonly #raw = new Set<RawBrokerListener>();

  /** Adds a listener; true when the topic is new here (the caller subscribes on the bus). */
  add(topic: string, listener: BrokerListener): boolean {
    return this.#add(topic, listener);
  }

  /** Adds a raw listener (bytes, undecoded), counted with the others for the bus subscription. */
  addRaw(topic: string, listener: RawBrokerListener): boolean {
    this.#raw.add(listener);
    return this.#add(topic, listener);
  }

  #add(topic: string, listener: AnyListener): boolean {
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
  remove(topic: string, listener: AnyListener): boolean {
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
    this.#raw.clear();
  }

  /**
   * Delivers one payload as the bus carried it: raw listeners get the bytes, the others the message `decode` makes of
   * them (decoded at most once, and not at all when only raw listeners want the topic). A payload that fails to decode
   * or a throwing listener goes to `onError`; returns whether a message was decoded and delivered.
   */
  deliverPayload(
    topic: string,
    payload: Uint8Array,
    decode: () => BrokerMessage,
    onError: (error: unknown) => void,
  ): BrokerMessage | null {
    const set = this.#topics.get(topic);
    if (!set) return null;
    let message: BrokerMessage | null = null;
    let failed = false;
    for (const listener of set) {
      try {
        if (this.#raw.has(listener as RawBrokerListener)) {
          (listener as RawBrokerListener)(topic, payload);
          continue;
        }
        if (failed) continue;
        if (message === null) {
          try {
            message = decode();
          } catch (error) {
            failed = true;
            onError(error);
            continue;
          }
        }
        (listener as BrokerListener)(message);
      } catch (error) {
        onError(error);
      }
    }
    return message;
  }

  /** Delivers to the listeners of a topic; a throwing listener is isolated from the others (and from the driver). */
  deliver(topic: string, message: BrokerMessage, onError: (error: unknown) => void): void {
    const set = this.#topics.get(topic);
    if (!set) return;
    for (const listener of set) {
      if (this.#raw.has(listener as RawBrokerListener)) continue;
      try {
        (listener as BrokerListener)(message);
      } catch (error) {
        onError(error);
      }
    }
  }
}
