import type { Redis, RedisOptions } from 'ioredis';
import type { BrokerListener, BrokerMessage } from '../Broker.js';
import { loadIoredis } from '../optionalDependency.js';
import { compareStreamIds } from '../resume/streamId.js';
import type { BrokerStats, RawBrokerListener, RawBusBroker } from './BusBroker.js';
import {
  type BrokerWireFormat,
  decodeBrokerMessage,
  encodeBrokerMessage,
  encodeBrokerPayload,
  splitStreamedBytes,
} from './brokerCodec.js';
import { TopicListeners } from './TopicListeners.js';

export interface RedisBrokerOptions {
  /**
   * Where Redis is: a URL, ioredis options, or a connected ioredis client to publish on (left open by `close()`).
   * The broker always opens its own subscriber connection (a duplicate), since a subscribed connection can do nothing
   * else. Default: `redis://127.0.0.1:6379`.
   */
  redis?: Redis | RedisOptions | string;
  /** Prefix of the pub/sub channels, so several deployments can share one Redis. Default `concord:gw:`. */
  prefix?: string;
  /** Called for driver errors, undecodable messages and throwing listeners (all of which are dropped, not thrown). */
  onError?: (error: unknown) => void;
  /**
   * Per-topic history for resume across nodes (see `createRedisResumeStore`): every publish also appends the message
   * to the stream `<prefix>h:<topic>` (trimmed to about `maxLen` entries, expiring `ttlMs` after the last publish), in
   * the same script as the PUBLISH, and each delivered message carries its stream id (`message.position`). `ttlMs`
   * must exceed the gateway's `resumeTtl` plus a margin. `false` = plain PUBLISH, no history. Default
   * `{ maxLen: 1000, ttlMs: 600_000 }`.
   */
  history?: false | { maxLen?: number; ttlMs?: number };
  /**
   * Wire format of what this node publishes (it decodes both): 2 (default) sends the payload encoded once, spliced by
   * every receiving node; 1 while nodes older than format 2 are still in the cluster (rolling upgrade). The streams
   * keep what was published, so a history may hold both.
   */
  format?: BrokerWireFormat;
}

/** XADD + PUBLISH in one script: the stream and the channel see the messages of a topic in the same order. */
const PUBLISH_SCRIPT = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'm', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PUBLISH', ARGV[1], id .. ' ' .. ARGV[2])
return id`;

type Body = string | Buffer;
type HistoryRedis = Redis & {
  concordPublish(stream: string, channel: string, body: Body, maxLen: number, ttlMs: number): Promise<string>;
};
type HistoryPipeline = ReturnType<Redis['pipeline']> & {
  concordPublish(stream: string, channel: string, body: Body, maxLen: number, ttlMs: number): unknown;
};

/** A publish waiting for the end of the event-loop turn, when the turn's publishes go out as one pipeline. */
interface Queued {
  topic: string;
  body: Body;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function openRedis(target: RedisOptions | string | undefined): Redis {
  return typeof target === 'string'
    ? new (loadIoredis().Redis)(target)
    : new (loadIoredis().Redis)(target ?? { host: '127.0.0.1', port: 6379 });
}

/**
 * Redis pub/sub broker. One publisher connection and one subscriber connection per node: Redis delivers the messages of
 * one publisher connection in the order it sent them, so every node sees one node's dispatches in publish order.
 * Without history, delivery is at-most-once (pub/sub keeps nothing while a node is disconnected). With history (the
 * default), a subscriber that lost its connection (Redis restart, or Redis dropping a slow subscriber at its output
 * buffer limit) catches up when ioredis has re-subscribed: for each topic it reads the stream after the last id it
 * delivered, then the live messages that arrived meanwhile past that id, so nothing is lost or delivered twice.
 */
export async function createRedisBroker(options: RedisBrokerOptions = {}): Promise<RawBusBroker> {
  const prefix = options.prefix ?? 'concord:gw:';
  const onError = options.onError ?? (() => undefined);
  const target = options.redis;
  const given = target instanceof loadIoredis().Redis ? target : null;
  const pub = given ?? openRedis(target as RedisOptions | string | undefined);
  const sub = pub.duplicate();
  const history = options.history === false ? null : { maxLen: 1000, ttlMs: 600_000, ...options.history };
  if (history) pub.defineCommand('concordPublish', { numberOfKeys: 1, lua: PUBLISH_SCRIPT });
  const format = options.format ?? 2;
  if (!given) pub.on('error', onError);
  sub.on('error', onError);

  const listeners = new TopicListeners();
  const stats: BrokerStats = { published: 0, received: 0, dropped: 0 };
  // Subscribe/unsubscribe commands go out in order on `sub`; awaiting the last one sent means all earlier ones are done.
  let pending: Promise<unknown> = Promise.resolve();
  let closed = false;

  const track = (command: Promise<unknown>): Promise<void> => {
    const settled = command.then(
      () => undefined,
      (error: unknown) => onError(error),
    );
    pending = settled;
    return settled;
  };

  const drop = (error: unknown): void => {
    stats.dropped++;
    onError(error);
  };
  // History mode: the newest stream id delivered per topic, and the stream's newest id when the topic was subscribed
  // (where a catch-up starts for a topic that has delivered nothing yet).
  const lastId = new Map<string, string>();
  const tailAtSubscribe = new Map<string, string>();
  // Live payloads held while catching up after a reconnect (null when not catching up): topic, stream id, payload.
  let held: [string, string | null, Buffer][] | null = null;
  let wasReady = false;

  // Live messages of a topic arrive in stream order, so only the ones held during a catch-up need comparing (below).
  // Raw listeners get the payload as it came; the others share one decode of it.
  const deliver = (topic: string, id: string | null, payload: Buffer, start: number): void => {
    if (history && id !== null) lastId.set(topic, id);
    const decoded = listeners.deliverPayload(
      topic,
      payload,
      () => {
        const message = decodeBrokerMessage(start === 0 ? payload : payload.subarray(start));
        if (id !== null) message.position = { topic, id };
        return message;
      },
      drop,
    );
    if (decoded !== null) stats.received++;
  };

  // Buffers, not strings: ioredis decodes to text only for 'message' listeners, and a v2 body stays bytes to the frame.
  sub.on('messageBuffer', (channel: Buffer, payload: Buffer) => {
    if (closed) return;
    const name = channel.toString();
    if (!name.startsWith(prefix)) return;
    const topic = name.slice(prefix.length);
    let id: string | null;
    let start: number;
    try {
      ({ id, start } = splitStreamedBytes(payload));
    } catch (error) {
      drop(error);
      return;
    }
    // The payload may share the parser's buffer: a held one is copied.
    if (held) held.push([topic, id, Buffer.from(payload)]);
    else deliver(topic, id, payload, start);
  });

  /** Reads what a topic's stream holds after `after` (exclusive), oldest first; null when entries were trimmed away. */
  const readAfter = async (topic: string, after: string): Promise<[string, string][] | null> => {
    const limit = history!.maxLen;
    const entries = (await pub.xrange(`${prefix}h:${topic}`, `(${after}`, '+', 'COUNT', limit + 1)) as [
      string,
      string[],
    ][];
    if (entries.length > limit) return null;
    return entries.map(([id, fields]) => [id, fields[fields.indexOf('m') + 1] ?? '']);
  };

  const catchUp = async (): Promise<void> => {
    try {
      // ioredis re-sends the subscriptions before 'ready'; a PING behind them returns once they are in effect, so what
      // is published from now on arrives live (held) and everything before it is in the streams.
      await sub.ping();
      for (const topic of listeners.topics()) {
        const after = lastId.get(topic) ?? tailAtSubscribe.get(topic);
        if (after === undefined) continue;
        const missed = await readAfter(topic, after);
        if (closed) return;
        if (missed === null) {
          drop(new Error(`redis broker: more than ${history!.maxLen} messages of ${topic} passed while disconnected`));
          continue;
        }
        // As it would have come live: `<id> <message>`, so raw listeners see the same payloads.
        for (const [id, text] of missed) {
          const payload = Buffer.from(`${id} ${text}`);
          deliver(topic, id, payload, payload.length - Buffer.byteLength(text));
        }
      }
    } catch (error) {
      onError(error);
    } finally {
      const live = held ?? [];
      held = null;
      for (const [topic, id, payload] of live) {
        const last = lastId.get(topic);
        // Already delivered by the catch-up: exactly once.
        if (id !== null && last !== undefined && compareStreamIds(id, last) <= 0) continue;
        deliver(topic, id, payload, id === null ? 0 : id.length + 1);
      }
    }
  };

  if (history) {
    sub.on('close', () => {
      if (wasReady && !closed) held ??= [];
    });
    sub.on('ready', () => {
      if (wasReady && !closed) void catchUp();
      wasReady = true;
    });
  }

  /**
   * Where a new subscription's catch-up starts until it has delivered something: the stream's newest id once the
   * subscription is in effect (the beginning if it has none). Not used to filter live messages: one published just
   * before this read can still be on its way on the other connection.
   */
  const markTail = (topic: string): void => {
    pub
      .xrevrange(`${prefix}h:${topic}`, '+', '-', 'COUNT', 1)
      .then((entries) => {
        const tail = (entries as [string, string[]][])[0]?.[0] ?? '0-0';
        if (listeners.has(topic)) tailAtSubscribe.set(topic, tail);
      })
      .catch(onError);
  };

  try {
    await Promise.all([pub.status === 'ready' ? undefined : pub.ping(), sub.ping()]);
    // Loaded up front so that the first publishes do not go EVALSHA → NOSCRIPT → EVAL, which could reorder them.
    if (history) await pub.script('LOAD', PUBLISH_SCRIPT);
  } catch (error) {
    // Without this, the connections we opened would keep retrying in the background after the caller gave up.
    sub.disconnect();
    if (!given) pub.disconnect();
    throw error;
  }

  // Per-tick batching: the publishes of one event-loop turn go out as one pipeline (one socket write, and Redis reads
  // them in one go instead of one read per PUBLISH, which is most of its cost per message).
  let queue: Queued[] = [];
  const flush = (): void => {
    const batch = queue;
    queue = [];
    if (batch.length === 1) {
      const [one] = batch as [Queued];
      send(one.topic, one.body).then(one.resolve, one.reject);
      return;
    }
    const pipeline = pub.pipeline() as HistoryPipeline;
    for (const { topic, body } of batch) {
      if (history) pipeline.concordPublish(`${prefix}h:${topic}`, prefix + topic, body, history.maxLen, history.ttlMs);
      else pipeline.publish(prefix + topic, body);
    }
    pipeline.exec().then(
      (results) => {
        for (let i = 0; i < batch.length; i++) {
          const error = results?.[i]?.[0];
          if (error) batch[i]!.reject(error);
          else batch[i]!.resolve();
        }
      },
      (error: unknown) => {
        for (const queued of batch) queued.reject(error);
      },
    );
  };
  const send = (topic: string, body: Body): Promise<unknown> =>
    history
      ? (pub as HistoryRedis).concordPublish(`${prefix}h:${topic}`, prefix + topic, body, history.maxLen, history.ttlMs)
      : pub.publish(prefix + topic, body);
  const enqueue = (topic: string, body: Body): Promise<void> => {
    if (closed) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      if (queue.length === 0) setImmediate(flush);
      queue.push({
        topic,
        body,
        resolve: () => {
          stats.published++;
          resolve();
        },
        reject,
      });
    });
  };
  const encode = (message: BrokerMessage): Body =>
    format === 1 ? encodeBrokerMessage(message, 1) : encodeBrokerPayload(message);

  const subscribeTopic = (topic: string): Promise<void> => {
    const done = track(sub.subscribe(prefix + topic));
    if (history) void done.then(() => markTail(topic));
    return done;
  };
  const unsubscribeTopic = (topic: string): Promise<void> => {
    lastId.delete(topic);
    tailAtSubscribe.delete(topic);
    return track(sub.unsubscribe(prefix + topic));
  };

  return {
    stats,
    history: history !== null,
    topics: () => listeners.topics(),
    ready: () => pending.then(() => undefined),
    publish(topic: string, message: BrokerMessage): Promise<void> {
      if (closed) return Promise.resolve();
      return enqueue(topic, encode(message));
    },
    publishRaw(topic: string, payload: Uint8Array): Promise<void> {
      return enqueue(topic, payload instanceof Buffer ? payload : Buffer.from(payload));
    },
    subscribe(topic: string, listener: BrokerListener): Promise<void> | undefined {
      if (closed || !listeners.add(topic, listener)) return undefined;
      return subscribeTopic(topic);
    },
    subscribeRaw(topic: string, listener: RawBrokerListener): Promise<void> | undefined {
      if (closed || !listeners.addRaw(topic, listener)) return undefined;
      return subscribeTopic(topic);
    },
    unsubscribe(topic: string, listener: BrokerListener): Promise<void> | undefined {
      if (closed || !listeners.remove(topic, listener)) return undefined;
      return unsubscribeTopic(topic);
    },
    unsubscribeRaw(topic: string, listener: RawBrokerListener): Promise<void> | undefined {
      if (closed || !listeners.remove(topic, listener)) return undefined;
      return unsubscribeTopic(topic);
    },
    async close(): Promise<void> {
      if (closed) return;
      // What was published before close() still goes out.
      if (queue.length > 0) flush();
      closed = true;
      listeners.clear();
      await pending;
      await Promise.allSettled([sub.quit(), given ? undefined : pub.quit()]);
    },
  };
}
