import type { Redis, RedisOptions } from 'ioredis';
import type { BrokerListener, BrokerMessage } from '../Broker.js';
import { loadIoredis } from '../optionalDependency.js';
import { compareStreamIds } from '../resume/streamId.js';
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
export async function createRedisBroker(options: RedisBrokerOptions = {}): Promise<BusBroker> {
  const prefix = options.prefix ?? 'concord:gw:';
  const onError = options.onError ?? (() => undefined);
  const target = options.redis;
  const given = target instanceof loadIoredis().Redis ? target : null;
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

  const drop = (error: unknown): void => {
    stats.dropped++;
    onError(error);
  };
  // History mode: the newest stream id delivered per topic, and the stream's newest id when the topic was subscribed
  // (where a catch-up starts for a topic that has delivered nothing yet).
  const lastId = new Map<string, string>();
  const tailAtSubscribe = new Map<string, string>();
  // Live messages held while catching up after a reconnect (null when not catching up).
  let held: [string, BrokerMessage][] | null = null;
  let wasReady = false;

  // Live messages of a topic arrive in stream order, so only the ones held during a catch-up need comparing (below).
  const deliver = (topic: string, message: BrokerMessage): void => {
    const id = message.position?.id;
    if (history && id !== undefined) lastId.set(topic, id);
    stats.received++;
    listeners.deliver(topic, message, drop);
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
      drop(error);
      return;
    }
    if (held) held.push([topic, message]);
    else deliver(topic, message);
  });

  /** Reads what a topic's stream holds after `after` (exclusive), oldest first; null when entries were trimmed away. */
  const readAfter = async (topic: string, after: string): Promise<BrokerMessage[] | null> => {
    const limit = history!.maxLen;
    const entries = (await pub.xrange(`${prefix}h:${topic}`, `(${after}`, '+', 'COUNT', limit + 1)) as [
      string,
      string[],
    ][];
    if (entries.length > limit) return null;
    const out: BrokerMessage[] = [];
    for (const [id, fields] of entries) {
      try {
        const message = decodeBrokerMessage(fields[fields.indexOf('m') + 1] ?? '');
        message.position = { topic, id };
        out.push(message);
      } catch (error) {
        drop(error);
      }
    }
    return out;
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
        for (const message of missed) deliver(topic, message);
      }
    } catch (error) {
      onError(error);
    } finally {
      const live = held ?? [];
      held = null;
      for (const [topic, message] of live) {
        const id = message.position?.id;
        const last = lastId.get(topic);
        // Already delivered by the catch-up: exactly once.
        if (id !== undefined && last !== undefined && compareStreamIds(id, last) <= 0) continue;
        deliver(topic, message);
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
      const done = track(sub.subscribe(prefix + topic));
      if (history) void done.then(() => markTail(topic));
      return done;
    },
    unsubscribe(topic: string, listener: BrokerListener): Promise<void> | undefined {
      if (closed || !listeners.remove(topic, listener)) return undefined;
      lastId.delete(topic);
      tailAtSubscribe.delete(topic);
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
