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

/**
 * The publishing connection runs with replies off (see `createRedisBroker`); a batch goes with its reply at least this
 * often, and after this many batches without one.
 */
const CHECK_EVERY_MS = 100;
const CHECK_EVERY_BATCHES = 16;
const REPLY_OFF = Buffer.from('*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n');

/** One RESP command (an array of bulk strings) in one buffer. */
function respCommand(args: readonly (string | number | Buffer)[]): Buffer {
  const parts: (string | Buffer)[] = [`*${args.length}\r\n`];
  let length = parts[0]!.length;
  let text = '';
  for (const arg of args) {
    if (Buffer.isBuffer(arg)) {
      text += `$${arg.length}\r\n`;
      parts.push(text, arg);
      length += Buffer.byteLength(text) + arg.length;
      text = '\r\n';
    } else {
      const value = String(arg);
      text += `$${Buffer.byteLength(value)}\r\n${value}\r\n`;
    }
  }
  parts.push(text);
  length += Buffer.byteLength(text);
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  for (const part of parts) at += typeof part === 'string' ? out.write(part, at) : part.copy(out, at);
  return out;
}

type Body = string | Buffer;
type HistoryRedis = Redis & {
  /** `numkeys, ...streams, maxLen, ttlMs, ...(channel, body)` (PUBLISH_SCRIPT). */
  concordPublish(...args: (number | string | Buffer)[]): Promise<number>;
};

/** A batch written on the publishing connection with replies off, until a later reply on it says Redis ran it. */
interface Unanswered {
  topics: string[];
  bodies: Body[];
  /** Own messages of the batch still to come back on the subscriber connection (0: it waits for a reply). */
  echoes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
  settled: boolean;
}

/** The publishes of one event-loop turn, sent together when it ends; everyone who published in it shares a promise. */
interface Batch {
  topics: string[];
  bodies: Body[];
  /** How many of its messages come back to this node (a topic it listens to, its copy kept in OwnPublishes). */
  echoes: number;
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

  // An own message came back: Redis ran the batch it was in (set below, with the publishing connection).
  let ownEchoed = (): void => undefined;
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
    if (mine !== null) ownEchoed();
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

  // With history, batches go out on a connection of their own with Redis's replies off (CLIENT REPLY OFF): a reply is
  // a read, a parse and a promise per batch on the publishing node, most of what Redis cost it over NATS (whose
  // publishes get none). A batch whose messages all come back to this node (topics it listens to: Redis sends its
  // subscriber connection the publisher's own messages, in the order it ran them) is settled once they have come back
  // (those echoes are read anyway); any other batch, and one every CHECK_EVERY_MS (or
  // CHECK_EVERY_BATCHES), goes with its reply, through ioredis (CLIENT REPLY ON, the script, then OFF again), which
  // settles every batch written before it; an error (no memory, a key of another type) reaches that batch's promise. A
  // batch neither settles within CHECK_EVERY_MS gets a CLIENT REPLY ON of its own. So a publish still resolves once
  // Redis ran it. While that connection is down, and until what went on `pub` meanwhile is answered (the order of a
  // node's messages), batches go on `pub` with replies; batches written but unsettled when it dropped are sent again
  // there, as ioredis resends an unanswered command (either may deliver twice what Redis ran but could not answer).
  // Batches carry the script's text (EVAL): a script cache Redis lost (restart, SCRIPT FLUSH) cannot fail them unseen.
  // A server (or proxy) without CLIENT REPLY refuses the probe at connect: everything then stays on `pub`.
  const quietConnection = history
    ? pub.duplicate({ enableOfflineQueue: false, autoResendUnfulfilledCommands: false })
    : null;
  let quiet = false;
  let onPub = 0;
  let unanswered: Unanswered[] = [];
  let lastCheck = 0;
  if (quietConnection !== null) {
    quietConnection.on('error', onError);
    quietConnection.on('ready', () => {
      quietConnection.call('client', 'reply', 'on').then(
        () => {
          if (quietConnection.status !== 'ready' || closed) return;
          quietConnection.stream.write(REPLY_OFF);
          quiet = true;
        },
        () => undefined,
      );
    });
    quietConnection.on('close', () => {
      quiet = false;
      const lost = unanswered;
      unanswered = [];
      for (const u of lost) {
        if (u.settled) continue;
        u.settled = true;
        sendOnPub(u.topics, u.bodies).then(u.resolve, u.reject);
      }
    });
  }
  const scriptArgs = (topics: string[], bodies: Body[]): (number | string | Buffer)[] => {
    const args: (number | string | Buffer)[] = [topics.length];
    for (const topic of topics) args.push(`${prefix}h:${topic}`);
    args.push(history!.maxLen, history!.ttlMs);
    for (let i = 0; i < topics.length; i++) args.push(prefix + topics[i], bodies[i]!);
    return args;
  };
  // Settles the batches written up to `last` (one already settled: a later reply, or the connection's loss, did).
  const settleUpTo = (last: Unanswered | undefined, error: unknown): void => {
    if (last === undefined || last.settled) return;
    while (unanswered.length > 0) {
      const u = unanswered.shift()!;
      if (!u.settled) {
        u.settled = true;
        if (u === last && error !== null) u.reject(error);
        else u.resolve();
      }
      if (u === last) return;
    }
  };
  const sendQuiet = (topics: string[], bodies: Body[], echoes: number): Promise<unknown> => {
    const connection = quietConnection!;
    const all = echoes === topics.length;
    const entry: Unanswered = {
      topics,
      bodies,
      echoes: all ? echoes : 0,
      resolve: () => undefined,
      reject: () => undefined,
      settled: false,
    };
    const promise = new Promise<void>((resolve, reject) => {
      entry.resolve = resolve;
      entry.reject = reject;
    });
    unanswered.push(entry);
    const now = performance.now();
    // Without a reply when every message of the batch comes back to this node (its echo settles it), unless a batch
    // with one is due.
    if (all && now - lastCheck < CHECK_EVERY_MS && unanswered.length < CHECK_EVERY_BATCHES) {
      connection.stream.write(respCommand(['EVAL', PUBLISH_SCRIPT, ...scriptArgs(topics, bodies)]));
      confirmTimer ??= setTimeout(confirm, CHECK_EVERY_MS);
      return promise;
    }
    lastCheck = now;
    // The reply to ON comes once Redis ran everything before it; the script's says how this batch went.
    connection.call('client', 'reply', 'on').catch(() => undefined);
    // EVAL with the script's text, not ioredis's EVALSHA: that one answers a NOSCRIPT by sending EVAL later, when the
    // replies are off again.
    connection.call('eval', PUBLISH_SCRIPT, ...scriptArgs(topics, bodies)).then(
      () => settleUpTo(entry, null),
      (error: unknown) => {
        // Lost with the connection: 'close' sends it again on `pub`.
        if (!entry.settled && quiet) settleUpTo(entry, error);
      },
    );
    connection.stream.write(REPLY_OFF);
    return promise;
  };
  // No batch with a reply came within CHECK_EVERY_MS of one written without: a reply to CLIENT REPLY ON settles it.
  let confirmTimer: NodeJS.Timeout | null = null;
  const confirm = (): void => {
    confirmTimer = null;
    const last = unanswered.at(-1);
    if (!quiet || last === undefined || last.settled) return;
    lastCheck = performance.now();
    quietConnection!.call('client', 'reply', 'on').then(
      () => settleUpTo(last, null),
      () => undefined,
    );
    quietConnection!.stream.write(REPLY_OFF);
  };
  const sendOnPub = (topics: string[], bodies: Body[]): Promise<unknown> => {
    onPub++;
    return (pub as HistoryRedis).concordPublish(...scriptArgs(topics, bodies)).finally(() => {
      onPub--;
    });
  };
  ownEchoed = (): void => {
    for (const u of unanswered) {
      if (u.settled || u.echoes === 0) continue;
      if (--u.echoes === 0) settleUpTo(u, null);
      return;
    }
  };
  const sendBatch = (topics: string[], bodies: Body[], echoes: number): Promise<unknown> => {
    if (quiet && onPub === 0) return sendQuiet(topics, bodies, echoes);
    if (history) return sendOnPub(topics, bodies);
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
    sendBatch(b.topics, b.bodies, b.echoes).then(() => {
      stats.published += b.topics.length;
      b.resolve();
    }, b.reject);
  };
  const enqueue = (topic: string, body: Body, echo = false): Promise<void> => {
    if (closed) return Promise.resolve();
    if (batch === null) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      batch = { topics: [], bodies: [], echoes: 0, promise, resolve, reject };
      setImmediate(flush);
    }
    const b = batch;
    b.topics.push(topic);
    b.bodies.push(body);
    if (echo) b.echoes++;
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
      return enqueue(topic, payload, mine !== null);
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
      // Replies on again: the one to ON settles what was written before it, and QUIT gets its own.
      if (quietConnection !== null && quiet) {
        await quietConnection.call('client', 'reply', 'on').then(() => settleUpTo(unanswered.at(-1), null), onError);
      }
      quiet = false;
      if (confirmTimer !== null) clearTimeout(confirmTimer);
      await Promise.allSettled([sub.quit(), given ? undefined : pub.quit(), quietConnection?.quit()]);
    },
  };
}
