import type { Broker } from '../Broker.js';
import type { Awaitable } from '../types.js';

/** Counters every bus broker keeps; `dropped` counts messages that failed to decode or whose listener threw. */
export interface BrokerStats {
  published: number;
  received: number;
  dropped: number;
}

/**
 * A listener for a topic's messages as the bus carried them, undecoded: what a host-local relay forwards to the worker
 * processes holding that topic's sessions (they decode with `decodeBrokerPayload(topic, payload)`). `payload` may be
 * a view into the driver's read buffer, valid only during the call: copy or write it before returning.
 */
export type RawBrokerListener = (topic: string, payload: Uint8Array) => void;

/** A `Broker` over a network bus (Redis, NATS), plus what tests and operators want to see of it. */
export interface BusBroker extends Broker {
  /** Counters: published, received (decoded) and dropped messages. */
  readonly stats: Readonly<BrokerStats>;
  /** The topics this node is subscribed to on the bus right now (`guild:<id>`, `user:<id>`, `session:<id>`). */
  topics(): string[];
  /** Resolves once every subscribe/unsubscribe asked for so far is in effect on the server. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A bus broker that also hands out and takes payloads as the bus carries them (the Redis and NATS brokers): what a
 * host-local relay needs to hold one bus subscription per topic for all the processes of a host.
 */
export interface RawBusBroker extends BusBroker {
  /**
   * Subscribes a raw listener: counted with the decoded ones for the bus subscription (one per topic per broker), and
   * handed each payload without decoding. With Redis history the payload starts with its stream id (`<id> `); a
   * catch-up after a reconnect hands the missed payloads the same way.
   */
  subscribeRaw(topic: string, listener: RawBrokerListener): Awaitable<void>;
  /** Removes a raw listener; the bus subscription goes with the topic's last listener of either kind. */
  unsubscribeRaw(topic: string, listener: RawBrokerListener): Awaitable<void>;
  /** Publishes a payload made by `encodeBrokerPayload` (e.g. a worker's message handed to its host's relay). */
  publishRaw(topic: string, payload: Uint8Array): Awaitable<void>;
}
