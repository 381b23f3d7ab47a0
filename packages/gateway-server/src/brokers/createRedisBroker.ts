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
  ownCopy,
  splitStreamedBytes,
} from './brokerCodec.js';
import { OwnPublishes } from './OwnPublishes.js';
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

/**
 * XADD + PUBLISH in one script, for all the messages of a batch: the stream and the channel see the messages of a
 * topic in the same order. KEYS = the streams, one per message; ARGV = maxLen, ttlMs, then channel and payload per
 * message. One script call per batch rather than per message: Redis pays its per-command cost (read, parse, script
 * call) once, and the node builds and awaits one command instead of one each.
 */
const PUBLISH_SCRIPT = `
local maxLen, ttl = ARGV[1], ARGV[2]
for i = 1, #KEYS do
  local body = ARGV[2 * i + 2]
  local id = redis.call('XADD', KEYS[i], 'MAXLEN', '~', maxLen, '*', 'm', body)
  redis.call('PEXPIRE', KEYS[i], ttl)
  redis.call('PUBLISH', ARGV[2 * i + 1], id .. ' ' .. body)
end
return #KEYS`;

/** Most messages per script call: a script holds Redis for its whole run (~10 µs per message here). */
const MAX_BATCH = 256;

type Body = string | Buffer;
type HistoryRedis = Redis & {
  /** `numkeys, ...streams, maxLen, ttlMs, ...(channel, body)` (PUBLISH_SCRIPT). */
  concordPublish(...args: (number | string | Buffer)[]): Promise<number>;
};

/** The publishes of one event-loop turn, sent together when it ends; everyone who published in it shares a promise. */
interface Batch {
  topics: string[];
  bodies: Body[];
  promise: Promise<void>;
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
  if (history) pub.defineCommand('concordPublish', { lua: PUBLISH_SCRIPT });
  const format = options.format ?? 2;
  if (!given) pub.on('error', onError);
  sub.on('error', onError);

  const listeners = new TopicListeners();
  // This node's own messages, until Redis brings them back on `sub` (every node's subscriptions get a topic's
  // messages, the publisher's too): delivered then from the copy kept, not decoded from the bytes encoded here.
  const own = new OwnPublishes();
  const stats: BrokerStats = { published: 0, received: 0, dropped: 0 };
  // Subscribe/unsubscribe batches go out in order on `sub`; awaiting the last one means all earlier ones are done.
  let pending: Promise<unknown> = Promise.resolve();
  let closed = false;

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

  // Where the payload being delivered has its stream id and message, for `decodeDelivering`: one decode function for
  // every message rather than a closure over them each.
  const delivering: { id: string | null; start: number } = { id: null, start: 0 };
  const decodeDelivering = (topic: string, payload: Uint8Array): BrokerMessage => {
    const { id, start } = delivering;
    const message = decodeBrokerMessage(start === 0 ? payload : payload.subarray(start));
    if (id !== null) message.position = { topic, id };
    return message;
  };

  // Live messages of a topic arrive in stream order, so only the ones held during a catch-up need comparing (below).
  // Raw listeners get the payload as it came; the others this node's own copy of a message it published, else share
  // one decode of it.
  const deliver = (topic: string, id: string | null, payload: Buffer, start: number): void => {
    if (history && id !== null) lastId.set(topic, id);
    const mine = own.take(topic, payload, start);
    if (mine !== null && id !== null) mine.position = { topic, id };
    delivering.id = id;
    delivering.start = start;
    if (listeners.deliverPayload(topic, payload, mine, decodeDelivering, drop) !== null) stats.received++;
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
   * before this read can still be on its way on the other connection. One pipeline for the topics of a batch.
   */
  const markTails = (topics: string[]): void => {
    const pipeline = pub.pipeline();
    for (const topic of topics) pipeline.xrevrange(`${prefix}h:${topic}`, '+', '-', 'COUNT', 1);
    pipeline.exec().then((results) => {
      for (let i = 0; i < topics.length; i++) {
        const [error, entries] = results?.[i] ?? [null, null];
        if (error) {
          onError(error);
          continue;
        }
        const tail = (entries as [string, string[]][] | null)?.[0]?.[0] ?? '0-0';
        if (listeners.has(topics[i]!)) tailAtSubscribe.set(topics[i]!, tail);
      }
    }, onError);
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

  // Per-tick batching: the publishes of one event-loop turn go out together (one socket write, and Redis reads them in
  // one go instead of one read per PUBLISH, which is most of its cost per message). With history they are one script
  // call; without, one pipeline of PUBLISHes. A batch succeeds or fails as a whole.
  let batch: Batch | null = null;
  const sendBatch = (topics: string[], bodies: Body[]): Promise<unknown> => {
    if (history) {
      const args: (number | string | Buffer)[] = [topics.length];
      for (const topic of topics) args.push(`${prefix}h:${topic}`);
      args.push(history.maxLen, history.ttlMs);
      for (let i = 0; i < topics.length; i++) args.push(prefix + topics[i], bodies[i]!);
      return (pub as HistoryRedis).concordPublish(...args);
    }
    if (topics.length === 1) return pub.publish(prefix + topics[0], bodies[0]!);
    const pipeline = pub.pipeline();
    for (let i = 0; i < topics.length; i++) pipeline.publish(prefix + topics[i], bodies[i]!);
    return pipeline.exec().then((results) => {
      const failed = results?.find(([error]) => error);
      if (failed) throw failed[0];
    });
  };
  const flush = (): void => {
    const b = batch;
    if (b === null) return;
    batch = null;
    sendBatch(b.topics, b.bodies).then(() => {
      stats.published += b.topics.length;
      b.resolve();
    }, b.reject);
  };
  const enqueue = (topic: string, body: Body): Promise<void> => {
    if (closed) return Promise.resolve();
    if (batch === null) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      batch = { topics: [], bodies: [], promise, resolve, reject };
      setImmediate(flush);
    }
    const b = batch;
    b.topics.push(topic);
    b.bodies.push(body);
    // A full batch goes now; the commands keep their order on the connection, so the next batch follows it.
    if (b.topics.length >= MAX_BATCH) flush();
    return b.promise;
  };
  const encode = (message: BrokerMessage): Body =>
    format === 1 ? encodeBrokerMessage(message, 1) : encodeBrokerPayload(message);

  // Per-tick batching of the bus subscriptions as well: what the sessions identifying in one event-loop turn need
  // (their guilds, user and session topics) becomes one SUBSCRIBE and one UNSUBSCRIBE with many channels, and one
  // pipeline of stream-tail reads, instead of a command, a socket write and a reply per topic (at a ramp of sessions
  // that was most of the broker's share of a node's CPU). A topic added and removed in the same turn nets out.
  const onBus = new Set<string>();
  let changes = new Map<string, boolean>();
  let batchDone: { promise: Promise<void>; resolve: () => void } | null = null;
  const flushChanges = (): void => {
    const done = batchDone;
    if (done === null) return;
    batchDone = null;
    const batch = changes;
    changes = new Map();
    const add: string[] = [];
    const remove: string[] = [];
    const wanted: string[] = [];
    for (const [topic, want] of batch) {
      if (want) {
        wanted.push(topic);
        if (!onBus.has(topic)) {
          onBus.add(topic);
          add.push(prefix + topic);
        }
      } else if (onBus.delete(topic)) remove.push(prefix + topic);
    }
    // Never without channels: UNSUBSCRIBE with none means all of them.
    const commands: Promise<unknown>[] = [];
    if (remove.length > 0) commands.push(sub.unsubscribe(...remove));
    if (add.length > 0) commands.push(sub.subscribe(...add));
    void Promise.all(commands)
      .then(
        () => {
          if (history && wanted.length > 0 && !closed) markTails(wanted);
        },
        (error: unknown) => onError(error),
      )
      .then(done.resolve);
  };
  const change = (topic: string, want: boolean): Promise<void> => {
    if (batchDone === null) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      batchDone = { promise, resolve };
      pending = promise;
      setImmediate(flushChanges);
    }
    changes.set(topic, want);
    return batchDone.promise;
  };
  const subscribeTopic = (topic: string): Promise<void> => change(topic, true);
  const unsubscribeTopic = (topic: string): Promise<void> => {
    lastId.delete(topic);
    own.forget(topic);
    tailAtSubscribe.delete(topic);
    return change(topic, false);
  };

  return {
    stats,
    history: history !== null,
    topics: () => listeners.topics(),
    ready: () => {
      // What this turn asked for goes out now rather than at its end.
      flushChanges();
      return pending.then(() => undefined);
    },
    publish(topic: string, message: BrokerMessage): Promise<void> {
      if (closed) return Promise.resolve();
      if (format === 1 || !listeners.has(topic)) return enqueue(topic, encode(message));
      // A topic this node listens to: the message comes back to it, and is delivered from this copy then.
      const payload = encodeBrokerPayload(message);
      const mine = ownCopy(message, payload);
      if (mine !== null) own.add(topic, payload, mine);
      return enqueue(topic, payload);
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
      // What was published before close() still goes out; so do the queued (un)subscriptions, whose promises settle.
      flush();
      flushChanges();
      closed = true;
      listeners.clear();
      own.clear();
      await pending;
      await Promise.allSettled([sub.quit(), given ? undefined : pub.quit()]);
    },
  };
}
