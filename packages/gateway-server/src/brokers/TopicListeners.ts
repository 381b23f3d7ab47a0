import type { BrokerListener, BrokerMessage } from '../Broker.js';
import type { RawBrokerListener } from './BusBroker.js';

type AnyListener = BrokerListener | RawBrokerListener;

/** A payload that failed to decode: the topic's other decoded listeners skip it too (see `deliverPayload`). */
const FAILED: unique symbol = Symbol('failed');
type Delivered = BrokerMessage | null | typeof FAILED;

/**
 * Local listeners per topic, shared by the bus brokers: the bus subscription for a topic exists exactly while at least
 * one local listener wants it, so a node only carries the traffic of the guilds/users/sessions it holds.
 *
 * A topic with one listener keeps it bare, without a Set: a gateway node subscribes every topic with its one fan-out
 * listener and holds two topics per session (`session:<id>`, `user:<id>`), so one-element Sets were ~160 B per topic,
 * twice per session. The second listener of a topic upgrades it to a Set, and it goes back to bare when one is left.
 */
export class TopicListeners {
  readonly #topics = new Map<string, AnyListener | Set<AnyListener>>();
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
    const entry = this.#topics.get(topic);
    if (entry === undefined) {
      this.#topics.set(topic, listener);
      return true;
    }
    if (typeof entry === 'function') {
      if (entry !== listener) this.#topics.set(topic, new Set([entry, listener]));
    } else entry.add(listener);
    return false;
  }

  /** Removes a listener; true when the topic has no listener left (the caller unsubscribes on the bus). */
  remove(topic: string, listener: AnyListener): boolean {
    const entry = this.#topics.get(topic);
    if (entry === undefined) return false;
    if (typeof entry === 'function') {
      if (entry !== listener) return false;
      this.#topics.delete(topic);
      return true;
    }
    entry.delete(listener);
    if (entry.size > 1) return false;
    if (entry.size === 1) {
      this.#topics.set(topic, entry.values().next().value as AnyListener);
      return false;
    }
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
   * Delivers one payload as the bus carried it: raw listeners get the bytes, the others `known` (this node's own copy
   * of a message it published) or else the message `decode(topic, payload)` makes of them (decoded at most once, and
   * not at all when only raw listeners want the topic). A payload that fails to decode or a throwing listener goes to
   * `onError`; returns the message delivered, if any. `decode` is the broker's one function, not a closure per message.
   */
  deliverPayload(
    topic: string,
    payload: Uint8Array,
    known: BrokerMessage | null,
    decode: (topic: string, payload: Uint8Array) => BrokerMessage,
    onError: (error: unknown) => void,
  ): BrokerMessage | null {
    const entry = this.#topics.get(topic);
    if (entry === undefined) return null;
    if (typeof entry === 'function') {
      const delivered = this.#deliverOne(entry, topic, payload, known, decode, onError);
      return delivered === FAILED ? null : delivered;
    }
    // Decoded once for all the topic's listeners; one that failed to decode goes to the raw listeners only.
    let message: Delivered = known;
    for (const listener of entry) message = this.#deliverOne(listener, topic, payload, message, decode, onError);
    return message === FAILED ? null : message;
  }

  /** One listener's delivery; returns the message as known after it (decoded here if it had to be), or FAILED. */
  #deliverOne(
    listener: AnyListener,
    topic: string,
    payload: Uint8Array,
    known: Delivered,
    decode: (topic: string, payload: Uint8Array) => BrokerMessage,
    onError: (error: unknown) => void,
  ): Delivered {
    if (this.#raw.size > 0 && this.#raw.has(listener as RawBrokerListener)) {
      try {
        (listener as RawBrokerListener)(topic, payload);
      } catch (error) {
        onError(error);
      }
      return known;
    }
    if (known === FAILED) return FAILED;
    let message = known;
    if (message === null) {
      try {
        message = decode(topic, payload);
      } catch (error) {
        onError(error);
        return FAILED;
      }
    }
    try {
      (listener as BrokerListener)(message);
    } catch (error) {
      onError(error);
    }
    return message;
  }

  /** Delivers to the listeners of a topic; a throwing listener is isolated from the others (and from the driver). */
  deliver(topic: string, message: BrokerMessage, onError: (error: unknown) => void): void {
    const entry = this.#topics.get(topic);
    if (entry === undefined) return;
    const one = (listener: AnyListener): void => {
      if (this.#raw.has(listener as RawBrokerListener)) return;
      try {
        (listener as BrokerListener)(message);
      } catch (error) {
        onError(error);
      }
    };
    if (typeof entry === 'function') one(entry);
    else for (const listener of entry) one(listener);
  }
}
