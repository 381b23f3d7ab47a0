import { type BrokerMessage, InMemoryBroker } from '../Broker.js';

/** Gets every message published on the broker, with its topic. */
export type AllTopicsListener = (topic: string, message: BrokerMessage) => void;

/**
 * The in-memory broker a `GatewayServer` makes for itself when it is given none: one process, and one gateway, the
 * server that made it, listening. That server's session index then is its subscription list ({@link listenAll}): a
 * topic per session and per user kept here as well (`session:<id>`, `user:<id>`, their strings and map entries) was
 * ~230 bytes per connected session for nothing the index does not already answer. Subscribing per topic still works
 * as on any {@link InMemoryBroker} (`server.broker` is public), for listeners other than the server.
 */
export class ServerOwnedBroker extends InMemoryBroker {
  #all: AllTopicsListener | null = null;

  /** Sets the one listener of every topic (the server's fan-out, which checks its index for the topic). */
  listenAll(listener: AllTopicsListener | null): void {
    this.#all = listener;
  }

  override publish(topic: string, message: BrokerMessage): void {
    super.publish(topic, message);
    this.#all?.(topic, message);
  }
}
