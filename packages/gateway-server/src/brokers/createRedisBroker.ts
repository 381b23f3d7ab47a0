import { Redis, type RedisOptions } from 'ioredis';
import type { BrokerListener, BrokerMessage } from '../Broker.js';
import type { BrokerStats, BusBroker } from './BusBroker.js';
import { decodeBrokerMessage, encodeBrokerMessage, splitStreamedPayload } from './brokerCodec.js';
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
}

/** XADD + PUBLISH in one script: the stream and the channel see the messages of a topic in the same order. */
const PUBLISH_SCRIPT = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'm', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PUBLISH', ARGV[1], id .. ' ' .. ARGV[2])
return id`;

type HistoryRedis = Redis & {
  concordPublish(stream: string, channel: string, body: string, maxLen: number, ttlMs: number): Promise<string>;
};

function openRedis(target: RedisOptions | string | undefined): Redis {
  return typeof target === 'string' ? new Redis(target) : new Redis(target ?? { host: '127.0.0.1', port: 6379 });
}

/**
 * Redis pub/sub broker. One publisher connection and one subscriber connection per node: Redis delivers the messages of
 * one publisher connection in the order it sent them, so every node sees one node's dispatches in publish order.
 * Delivery is at-most-once (pub/sub keeps nothing while a node is disconnected); ioredis re-subscribes after a reconnect.
 */
export async function createRedisBroker(options: RedisBrokerOptions = {}): Promise<BusBroker> {
  const prefix = options.prefix ?? 'concord:gw:';
  const onError = options.onError ?? (() => undefined);
  const target = options.redis;
  const given = target instanceof Redis ? target : null;
  const pub = given ?? openRedis(target as RedisOptions | string | undefined);
  const sub = pub.duplicate();
  const history = options.history === false ? null : { maxLen: 1000, ttlMs: 600_000, ...options.history };
  if (history) pub.defineCommand('concordPublish', { numberOfKeys: 1, lua: PUBLISH_SCRIPT });
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

  sub.on('message', (channel: string, text: string) => {
    if (closed || !channel.startsWith(prefix)) return;
    const topic = channel.slice(prefix.length);
    let message: BrokerMessage;
    try {
      const { id, body } = splitStreamedPayload(text);
      message = decodeBrokerMessage(body);
      if (id !== null) message.position = { topic, id };
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
  });

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

  return {
    stats,
    history: history !== null,
    topics: () => listeners.topics(),
    ready: () => pending.then(() => undefined),
    async publish(topic: string, message: BrokerMessage): Promise<void> {
      if (closed) return;
      if (history) {
        await (pub as HistoryRedis).concordPublish(
          `${prefix}h:${topic}`,
          prefix + topic,
          encodeBrokerMessage(message),
          history.maxLen,
          history.ttlMs,
        );
      } else await pub.publish(prefix + topic, encodeBrokerMessage(message));
      stats.published++;
    },
    subscribe(topic: string, listener: BrokerListener): Promise<void> | undefined {
      if (closed || !listeners.add(topic, listener)) return undefined;
      return track(sub.subscribe(prefix + topic));
    },
    unsubscribe(topic: string, listener: BrokerListener): Promise<void> | undefined {
      if (closed || !listeners.remove(topic, listener)) return undefined;
      return track(sub.unsubscribe(prefix + topic));
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      listeners.clear();
      await pending;
      await Promise.allSettled([sub.quit(), given ? undefined : pub.quit()]);
    },
  };
}
