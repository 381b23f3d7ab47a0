import type { Awaitable } from './types.js';

/**
 * One dispatch as it travels between gateway nodes. Plain JSON-able data so that a Redis/NATS broker can serialise it;
 * the in-process broker passes the object itself.
 */
export interface BrokerMessage {
  /** Event name (`t`). */
  event: string;
  /**
   * Event payload (`d`). In a message a bus broker decoded (wire format v2) this is an accessor that parses the JSON
   * body the publisher sent on first read; fan-out splices that body into JSON frames without reading `data`.
   */
  data: unknown;
  /** Intent flag (`1 << bit`, as in GatewayIntentBits) the event belongs to; `null` = delivered regardless of intents. */
  intent: number | null;
  /** Who gets it; resolved by every node against its own sessions. */
  target: DispatchTarget;
  /** `Date.now()` when `dispatch()` was called (fan-out latency). */
  createdAt: number;
  /**
   * Where the bus keeps this message, set on receipt by brokers with history (the Redis broker's per-topic streams).
   * The resume store journals it instead of the payload and replays a session's missed messages from there.
   */
  position?: StreamPosition;
}

/** A message's place in its topic's history: the topic and its stream id (`<ms>-<seq>`). */
export interface StreamPosition {
  topic: string;
  id: string;
}

export type DispatchTarget =
  | { type: 'guild'; guildId: string }
  | { type: 'channel'; guildId: string; channelId: string }
  | { type: 'users'; userIds: string[]; guildId?: string }
  | { type: 'session'; sessionId: string };

export type BrokerListener = (message: BrokerMessage) => void;

/**
 * Fan-out between gateway nodes. Topics are `guild:<id>`, `user:<id>` and `session:<id>`; a node subscribes to the
 * topics of the sessions it holds (reference counted by the server, so subscribe/unsubscribe come once per topic).
 */
export interface Broker {
  publish(topic: string, message: BrokerMessage): Awaitable<void>;
  subscribe(topic: string, listener: BrokerListener): Awaitable<void>;
  unsubscribe(topic: string, listener: BrokerListener): Awaitable<void>;
  close?(): Awaitable<void>;
  /**
   * True when every delivered message carries its `position` in a per-topic history (the Redis broker's default):
   * what a `resumeStore` needs to fill the gap of a session resumed on another node.
   */
  readonly history?: boolean;
}

/** The default broker: one process, synchronous delivery, no copies. */
export class InMemoryBroker implements Broker {
  /**
   * Per topic, its one listener or a set of them. A node subscribes each session's own topics (`session:`, `user:`)
   * with its one fan-out listener: a one-element Set per topic would cost ~160 bytes per topic, twice per session.
   */
  readonly #topics = new Map<string, BrokerListener | Set<BrokerListener>>();

  publish(topic: string, message: BrokerMessage): void {
    const listeners = this.#topics.get(topic);
    if (listeners === undefined) return;
    if (typeof listeners === 'function') listeners(message);
    else for (const listener of listeners) listener(message);
  }

  subscribe(topic: string, listener: BrokerListener): void {
    const listeners = this.#topics.get(topic);
    if (listeners === undefined) this.#topics.set(topic, listener);
    else if (typeof listeners !== 'function') listeners.add(listener);
    else if (listeners !== listener) this.#topics.set(topic, new Set([listeners, listener]));
  }

  unsubscribe(topic: string, listener: BrokerListener): void {
    const listeners = this.#topics.get(topic);
    if (listeners === undefined) return;
    if (listeners === listener) this.#topics.delete(topic);
    else if (typeof listeners !== 'function' && listeners.delete(listener) && listeners.size === 1) {
      this.#topics.set(topic, listeners.values().next().value!);
    }
  }
}
