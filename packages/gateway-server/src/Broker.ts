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
  readonly #topics = new Map<string, Set<BrokerListener>>();

  publish(topic: string, message: BrokerMessage): void {
    const listeners = this.#topics.get(topic);
    if (!listeners) return;
    for (const listener of listeners) listener(message);
  }

  subscribe(topic: string, listener: BrokerListener): void {
    let set = this.#topics.get(topic);
    if (!set) {
      set = new Set();
      this.#topics.set(topic, set);
    }
    set.add(listener);
  }

  unsubscribe(topic: string, listener: BrokerListener): void {
    const set = this.#topics.get(topic);
    if (!set) return;
    set.delete(listener);
    if (set.size === 0) this.#topics.delete(topic);
  }
}
