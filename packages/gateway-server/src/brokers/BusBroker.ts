import type { Broker } from '../Broker.js';

/** Counters every bus broker keeps; `dropped` counts messages that failed to decode or whose listener threw. */
export interface BrokerStats {
  published: number;
  received: number;
  dropped: number;
}

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
