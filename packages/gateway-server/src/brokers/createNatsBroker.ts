import type { ConnectionOptions, NatsConnection, Subscription } from 'nats';
import type { BrokerListener, BrokerMessage } from '../Broker.js';
import { requireOptional } from '../optionalDependency.js';
import type { BrokerStats, BusBroker } from './BusBroker.js';
import { decodeBrokerMessage, encodeBrokerMessage } from './brokerCodec.js';
import { TopicListeners } from './TopicListeners.js';

export interface NatsBrokerOptions {
  /**
   * Where NATS is: connection options, or a connection to share (left open by `close()`, only this broker's
   * subscriptions are removed). Default: `127.0.0.1:4222`.
   */
  nats?: NatsConnection | ConnectionOptions;
  /** Prefix of the subjects (topics become `<prefix>guild:<id>` …). Default `concord.gw.`. */
  prefix?: string;
  /** Called for undecodable messages and throwing listeners (dropped, not thrown). */
  onError?: (error: unknown) => void;
}

const isConnection = (value: unknown): value is NatsConnection =>
  typeof value === 'object' && value !== null && typeof (value as NatsConnection).subscribe === 'function';

/**
 * NATS core (no JetStream) broker. One connection per node carries both publishes and subscriptions: NATS delivers the
 * messages of one publisher connection to a subscription in the order they were sent. At-most-once, like Redis pub/sub.
 */
export async function createNatsBroker(options: NatsBrokerOptions = {}): Promise<BusBroker> {
  const prefix = options.prefix ?? 'concord.gw.';
  const onError = options.onError ?? (() => undefined);
  const given = isConnection(options.nats) ? options.nats : null;
  // nats.js gives up after 10 reconnect attempts (~20 s) by default and then closes for good, which would leave a node
  // serving sessions that silently stop receiving; a gateway node should keep trying for as long as it runs.
  const nc =
    given ??
    (await requireOptional<typeof import('nats')>('nats', 'The NATS broker of @concord/gateway-server').connect({
      servers: '127.0.0.1:4222',
      maxReconnectAttempts: -1,
      ...(options.nats as ConnectionOptions | undefined),
    }));

  const listeners = new TopicListeners();
  const subscriptions = new Map<string, Subscription>();
  const stats: BrokerStats = { published: 0, received: 0, dropped: 0 };
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let closed = false;

  const receive = (topic: string, data: Uint8Array): void => {
    if (closed) return;
    let message: BrokerMessage;
    try {
      message = decodeBrokerMessage(decoder.decode(data));
    } catch (error) {
      stats.dropped++;
      onError(error);
      return;
    }
    stats.received++;
    listeners.deliver(topic, message, (error) => {
      stats.dropped++;
      onError(error);
    });
  };

  return {
    stats,
    topics: () => listeners.topics(),
    // A flush is a PING/PONG round trip: the server has processed every SUB/UNSUB sent before it.
    ready: () => (closed || nc.isClosed() ? Promise.resolve() : nc.flush()),
    publish(topic: string, message: BrokerMessage): void {
      if (closed) return;
      // Throws synchronously past the server's max_payload; the gateway logs it.
      nc.publish(prefix + topic, encoder.encode(encodeBrokerMessage(message)));
      stats.published++;
    },
    subscribe(topic: string, listener: BrokerListener): void {
      if (closed || !listeners.add(topic, listener)) return;
      // Callback subscriptions run in the order messages arrive, without an async iterator's queue in between.
      const subscription = nc.subscribe(prefix + topic, {
        callback: (error, msg) => (error ? onError(error) : receive(topic, msg.data)),
      });
      subscriptions.set(topic, subscription);
    },
    unsubscribe(topic: string, listener: BrokerListener): void {
      if (closed || !listeners.remove(topic, listener)) return;
      subscriptions.get(topic)?.unsubscribe();
      subscriptions.delete(topic);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      listeners.clear();
      if (given) {
        for (const subscription of subscriptions.values()) subscription.unsubscribe();
        subscriptions.clear();
        if (!nc.isClosed()) await nc.flush().catch(onError);
      } else {
        subscriptions.clear();
        await nc.close();
      }
    },
  };
}
