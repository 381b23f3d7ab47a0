import type { ConnectionOptions, NatsConnection, Subscription } from 'nats';
import type { BrokerListener, BrokerMessage } from '../Broker.js';
import { requireOptional } from '../optionalDependency.js';
import type { BrokerStats, RawBrokerListener, RawBusBroker } from './BusBroker.js';
import {
  type BrokerWireFormat,
  decodeBrokerMessage,
  encodeBrokerMessage,
  encodeBrokerPayload,
  ownCopy,
} from './brokerCodec.js';
import { natsPublisher } from './natsPublisher.js';
import { OwnPublishes } from './OwnPublishes.js';
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
  /**
   * Wire format of what this node publishes (it decodes both): 2 (default) sends the payload encoded once, spliced by
   * every receiving node; 1 while nodes older than format 2 are still in the cluster (rolling upgrade).
   */
  format?: BrokerWireFormat;
}

/** What a subscription decodes a payload with: one function for every message, not a closure each. */
const decodePayload = (_topic: string, payload: Uint8Array) => decodeBrokerMessage(payload);

const isConnection = (value: unknown): value is NatsConnection =>
  typeof value === 'object' && value !== null && typeof (value as NatsConnection).subscribe === 'function';

/**
 * NATS core (no JetStream) broker. One connection per node carries both publishes and subscriptions: NATS delivers the
 * messages of one publisher connection to a subscription in the order they were sent. At-most-once, like Redis pub/sub.
 *
 * On a connection of its own (`noEcho`), the node's own messages do not come back from the server: it delivers them to
 * its listeners as it publishes them, as the in-process broker does, so a message costs its publishing node an encode
 * and a socket write rather than also a read, a parse and a decode of the echo. Each node then sees its own messages
 * at once and the others' as they arrive: every publisher's messages in the order it sent them, as before, but two
 * nodes may interleave messages of different publishers differently (NATS promises no order across publishers). On a
 * connection it is given, it leaves the echo on and delivers its own messages when they come back.
 */
export async function createNatsBroker(options: NatsBrokerOptions = {}): Promise<RawBusBroker> {
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
      noEcho: true,
    }));
  /** Whether this node delivers its own messages as it publishes them (the server sends them no echo). */
  const local = given === null;

  const listeners = new TopicListeners();
  // On a given connection (echo on), this node's own messages until NATS brings them back: delivered then from the copy
  // kept, not decoded from the bytes encoded here.
  const own = new OwnPublishes();
  const subscriptions = new Map<string, Subscription>();
  const stats: BrokerStats = { published: 0, received: 0, dropped: 0 };
  const encoder = new TextEncoder();
  const format = options.format ?? 2;
  const send = natsPublisher(nc);
  let closed = false;

  const drop = (error: unknown): void => {
    stats.dropped++;
    onError(error);
  };

  // The bytes go to raw listeners as they are; the others get this node's own copy of a message it published, else
  // share one decode (v2: header parsed, body checked and kept as bytes for splicing).
  const deliver = (topic: string, payload: Uint8Array, mine: BrokerMessage | null): void => {
    if (listeners.deliverPayload(topic, payload, mine, decodePayload, drop) !== null) stats.received++;
  };
  const receive = (topic: string, data: Uint8Array): void => {
    if (!closed) deliver(topic, data, own.take(topic, data, 0));
  };

  const encode = (message: BrokerMessage): Uint8Array =>
    format === 1 ? encoder.encode(encodeBrokerMessage(message, 1)) : encodeBrokerPayload(message);

  const publishBytes = (topic: string, payload: Uint8Array): void => {
    if (closed) return;
    // Throws synchronously past the server's max_payload; the gateway logs it. Straight on the socket while nats.js has
    // nothing queued (natsPublisher.ts); otherwise nats.js gathers the publishes of one tick into one socket write.
    send(prefix + topic, payload);
    stats.published++;
  };

  const subscribeTopic = (topic: string): void => {
    // Callback subscriptions run in the order messages arrive, without an async iterator's queue in between.
    const subscription = nc.subscribe(prefix + topic, {
      callback: (error, msg) => (error ? onError(error) : receive(topic, msg.data)),
    });
    subscriptions.set(topic, subscription);
  };

  const unsubscribeTopic = (topic: string): void => {
    own.forget(topic);
    subscriptions.get(topic)?.unsubscribe();
    subscriptions.delete(topic);
  };

  return {
    stats,
    topics: () => listeners.topics(),
    // A flush is a PING/PONG round trip: the server has processed every SUB/UNSUB sent before it.
    ready: () => (closed || nc.isClosed() ? Promise.resolve() : nc.flush()),
    publish(topic: string, message: BrokerMessage): void {
      if (closed) return;
      const listening = listeners.has(topic);
      if (format === 1 || !listening) {
        const payload = encode(message);
        publishBytes(topic, payload);
        // No echo to wait for: this node's listeners get what the others will decode.
        if (local && listening) deliver(topic, payload, null);
        return;
      }
      // A topic this node listens to: its listeners get this copy, now or when the echo comes back. A message the
      // other nodes refuse to decode (no copy) is decoded and dropped here too.
      const payload = encodeBrokerPayload(message);
      publishBytes(topic, payload);
      const mine = ownCopy(message, payload);
      if (local) deliver(topic, payload, mine);
      else if (mine !== null) own.add(topic, payload, mine);
    },
    publishRaw(topic: string, payload: Uint8Array): void {
      if (closed) return;
      publishBytes(topic, payload);
      // No echo comes back (the host relay's own messages): delivered to this node's listeners now.
      if (local && listeners.has(topic)) deliver(topic, payload, null);
    },
    subscribe(topic: string, listener: BrokerListener): void {
      if (!closed && listeners.add(topic, listener)) subscribeTopic(topic);
    },
    subscribeRaw(topic: string, listener: RawBrokerListener): void {
      if (!closed && listeners.addRaw(topic, listener)) subscribeTopic(topic);
    },
    unsubscribe(topic: string, listener: BrokerListener): void {
      if (!closed && listeners.remove(topic, listener)) unsubscribeTopic(topic);
    },
    unsubscribeRaw(topic: string, listener: RawBrokerListener): void {
      if (!closed && listeners.remove(topic, listener)) unsubscribeTopic(topic);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      listeners.clear();
      own.clear();
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
