import { luaScript, runScript } from '@concord/redis-kit';
import type { Cluster, Redis } from 'ioredis';
import { isStorageError } from '../errors/index.js';
import { parseId } from '../ids.js';
import {
  type BucketedStore,
  isBucketedStore,
  type ListQuery,
  type MessageStore,
  type StoredMessage,
} from '../MessageStore.js';
import { parseListQuery } from '../validation.js';

export interface RedisCacheOptions {
  /** An ioredis client (standalone; keys of one channel share a hash tag, so Cluster works too). */
  redis: Redis | Cluster;
  /** Messages (tombstones included) kept per channel. Default 200. */
  recentPerChannel?: number;
  /**
   * Lifetime of a channel's window after it is filled, in ms. Default one hour. Also the upper bound on staleness if a
   * process dies between a database write and its cache update (see README).
   */
  ttlMs?: number;
  /** Key prefix. Default 'concord:mc:'. */
  keyPrefix?: string;
  /** A Redis call slower than this counts as failed (the read falls back to the store). Default 500 ms. */
  timeoutMs?: number;
}

export interface RedisCacheStats {
  /** Reads answered from Redis. */
  hits: number;
  /** Reads passed to the store (cache absent, outside the window, or a query kind the cache does not serve). */
  misses: number;
  /** Windows loaded from the store into Redis. */
  fills: number;
  /** Fills dropped because a write raced them (the generation moved). */
  fillsAborted: number;
  /** Channel windows dropped after edit/delete. */
  invalidations: number;
  /** Redis calls that failed or timed out (the operation went on without the cache). */
  redisErrors: number;
}

/** The cached store; it also offers listBucket/channelBuckets/putRaw when the wrapped store does. */
export interface RedisCachedStore extends MessageStore {
  stats(): RedisCacheStats;
  /** Channels whose invalidation has not reached Redis yet (Redis was unreachable at write time). */
  pendingInvalidations(): number;
  /** Drops a channel's window (e.g. after writing to the store behind the cache's back). */
  invalidate(channelId: string): Promise<void>;
}

const ZERO = '0'.repeat(20);
/** Fixed-width ids: lexicographic order of the members equals numeric order, with no float scores involved. */
const pad = (id: bigint | string) => id.toString().padStart(20, '0');

// Bodies are stored as 'L' (live) or 'D' (tombstone) + JSON, so scripts can skip tombstones without decoding JSON.
const encode = (m: StoredMessage) => (m.deleted ? 'D' : 'L') + JSON.stringify(m);
const decode = (body: string) => JSON.parse(body.slice(1)) as StoredMessage;

/*
 * Keys per channel (hash tag = channel id): ids (ZSET, every score 0, members = 20-digit ids), msgs (HASH id → body),
 * floor (STRING: the window holds EVERY message of the channel with id >= floor; ZERO = the whole channel), gen
 * (counter bumped by every write, checked by fills).
 */

/** Reads a page. ARGV: dir ('desc'|'asc'), bound (exclusive, '' = none), limit, includeDeleted ('1'|'0'). */
const READ = luaScript(
  `local floor = redis.call('GET', KEYS[3])
if not floor then return {'none'} end
local dir, bound, limit, incl = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4] == '1'
local complete = floor == '${ZERO}'
if bound ~= '' and not complete then
  if dir == 'desc' and bound <= floor then return {'miss'} end
  if dir == 'asc' and bound < floor then return {'miss'} end
end
local out = {'hit'}
local offset = 0
while #out - 1 < limit do
  local batch
  if dir == 'desc' then
    batch = redis.call('ZREVRANGEBYLEX', KEYS[1], bound == '' and '+' or '(' .. bound, '-', 'LIMIT', offset, limit)
  else
    batch = redis.call('ZRANGEBYLEX', KEYS[1], bound == '' and '-' or '(' .. bound, '+', 'LIMIT', offset, limit)
  end
  if #batch == 0 then break end
  local bodies = redis.call('HMGET', KEYS[2], unpack(batch))
  for i = 1, #batch do
    local b = bodies[i]
    if not b then return {'miss'} end
    if incl or string.sub(b, 1, 1) ~= 'D' then
      out[#out + 1] = b
      if #out - 1 == limit then break end
    end
  end
  offset = offset + #batch
  if #batch < limit then break end
end
if #out - 1 < limit and dir == 'desc' and not complete then return {'miss'} end
return out`,
  3,
);

/** One message by id. ARGV: padded id. Returns body, or 'absent' (known not to exist), or false (unknown). */
const GET = luaScript(
  `local floor = redis.call('GET', KEYS[3])
if not floor or ARGV[1] < floor then return false end
local b = redis.call('HGET', KEYS[2], ARGV[1])
if b then return b end
return 'absent'`,
  3,
);

/** Replaces the window if no write happened since `expectedGen` was read. ARGV: expectedGen, ttl, floor, (id, body)… */
const FILL = luaScript(
  `local gen = redis.call('GET', KEYS[4]) or '0'
if gen ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
for i = 4, #ARGV, 2 do
  redis.call('ZADD', KEYS[1], 0, ARGV[i])
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
end
redis.call('SET', KEYS[3], ARGV[3], 'PX', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1`,
  4,
);

/**
 * After a create reached the store: bump the generation (so in-flight fills that may have missed it are dropped), then
 * add the row if a window exists and covers it. HSETNX: a body already there came from a fill that read the store after
 * this create and is at least as new (an edit that raced us). ARGV: id, body, max, genTtl.
 */
const ADD = luaScript(
  `redis.call('INCR', KEYS[4])
redis.call('PEXPIRE', KEYS[4], ARGV[4])
local floor = redis.call('GET', KEYS[3])
if not floor or ARGV[1] < floor then return 0 end
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 1 then
  redis.call('ZADD', KEYS[1], 0, ARGV[1])
  local ttl = redis.call('PTTL', KEYS[3])
  if ttl > 0 then
    redis.call('PEXPIRE', KEYS[1], ttl)
    redis.call('PEXPIRE', KEYS[2], ttl)
  end
end
local extra = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
if extra > 0 then
  local popped = redis.call('ZPOPMIN', KEYS[1], extra)
  for i = 1, #popped, 2 do redis.call('HDEL', KEYS[2], popped[i]) end
  local lowest = redis.call('ZRANGEBYLEX', KEYS[1], '-', '+', 'LIMIT', 0, 1)[1]
  redis.call('SET', KEYS[3], lowest, 'KEEPTTL')
end
return 1`,
  4,
);

/** Drops the window and bumps the generation. ARGV: genTtl. */
const INVALIDATE = luaScript(
  `redis.call('INCR', KEYS[4])
redis.call('PEXPIRE', KEYS[4], ARGV[1])
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return 1`,
  4,
);

class RedisTimeoutError extends Error {}

/**
 * A read-through / write-through cache of each channel's newest messages in Redis, in front of any MessageStore.
 *
 * Served from Redis: `list` with no cursor, `before` inside the window, `after` at or above the window's floor, and
 * `get` of ids the window covers. Everything else (`around`, deep history) goes to the store. Writes go to the store
 * first; creates are then added to the window, edits and deletes drop the channel's window. Every write bumps a
 * per-channel generation, and a fill only lands if the generation did not move while it read the store, so a read
 * racing a write can never put an old version back. When Redis is unreachable, reads fall back to the store and the
 * channels written meanwhile are invalidated as soon as Redis is back (and bypass the cache until then).
 */
export function withRedisCache<S extends MessageStore>(
  store: S,
  options: RedisCacheOptions,
): S extends BucketedStore ? RedisCachedStore & BucketedStore : RedisCachedStore {
  const { redis } = options;
  const max = options.recentPerChannel ?? 200;
  if (!Number.isSafeInteger(max) || max < 1) throw new RangeError('recentPerChannel must be a positive integer');
  const ttlMs = options.ttlMs ?? 60 * 60 * 1000;
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) throw new RangeError('ttlMs must be a positive integer');
  // The generation must outlive any window it protects.
  const genTtl = Math.max(ttlMs * 2, 60_000);
  const prefix = options.keyPrefix ?? 'concord:mc:';
  const timeoutMs = options.timeoutMs ?? 500;
  const counters: RedisCacheStats = { hits: 0, misses: 0, fills: 0, fillsAborted: 0, invalidations: 0, redisErrors: 0 };
  const dirty = new Set<string>();

  const keys = (channelId: string) => {
    const tag = `${prefix}{${channelId}}`;
    return [`${tag}:ids`, `${tag}:msgs`, `${tag}:floor`, `${tag}:gen`];
  };

  // While (re)connecting, ioredis queues commands until it is ready; that is fine at startup (bounded by timeoutMs),
  // but once a connection is lost ('reconnecting', 'close', 'end') the cache is skipped instead of waited for.
  const usable = () => !['reconnecting', 'close', 'end'].includes(redis.status);

  /** A Redis call bounded by timeoutMs. A call that times out may still run later; every script tolerates that. */
  function call<T>(fn: () => Promise<T>): Promise<T> {
    if (!usable()) return Promise.reject(new RedisTimeoutError(`redis is ${redis.status}`));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisTimeoutError(`redis call took over ${timeoutMs} ms`)), timeoutMs);
    });
    const p = fn();
    p.catch(() => {});
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  async function invalidateNow(channelId: string): Promise<void> {
    await call(() => runScript(redis, INVALIDATE, [...keys(channelId), genTtl]));
  }

  /** After a write reached the store: drop the window, or remember to do it once Redis is back. */
  async function afterWrite(channelId: string): Promise<void> {
    counters.invalidations++;
    try {
      await invalidateNow(channelId);
    } catch {
      counters.redisErrors++;
      dirty.add(channelId);
    }
  }

  /**
   * Runs a store write, then invalidates the channel. A write that failed with a typed "nothing changed" error skips
   * the invalidation; any other failure (timeout, lost connection) may have been applied, so it invalidates too.
   */
  async function writing<T>(channelId: unknown, fn: () => Promise<T>, changed: (result: T) => boolean): Promise<T> {
    let result: T;
    try {
      result = await fn();
    } catch (err) {
      const noop =
        isStorageError(err, 'INVALID_ARGUMENT') ||
        isStorageError(err, 'NOT_FOUND') ||
        isStorageError(err, 'DUPLICATE') ||
        isStorageError(err, 'CLOSED');
      if (!noop && typeof channelId === 'string') await afterWrite(channelId);
      throw err;
    }
    if (changed(result) && typeof channelId === 'string') await afterWrite(channelId);
    return result;
  }

  let flushing: Promise<void> | null = null;
  function flushDirty(): Promise<void> {
    if (flushing || dirty.size === 0 || !usable()) return flushing ?? Promise.resolve();
    flushing = (async () => {
      for (const channelId of [...dirty]) {
        try {
          await invalidateNow(channelId);
          dirty.delete(channelId);
        } catch {
          break;
        }
      }
    })().finally(() => {
      flushing = null;
    });
    return flushing;
  }
  const onReady = () => {
    void flushDirty();
  };
  redis.on('ready', onReady);

  /** Whether the cache may be used for this channel right now. */
  async function cacheable(channelId: string): Promise<boolean> {
    if (!usable()) return false;
    if (dirty.size > 0) await flushDirty();
    return !dirty.has(channelId);
  }

  /** Loads the newest `max` rows (tombstones included) and installs them unless a write raced the load. */
  async function fill(channelId: string): Promise<StoredMessage[] | null> {
    const k = keys(channelId);
    let gen: string;
    try {
      gen = ((await call(() => redis.get(k[3]!))) as string | null) ?? '0';
    } catch {
      counters.redisErrors++;
      return null;
    }
    const rows: StoredMessage[] = [];
    let complete = false;
    while (rows.length < max) {
      const limit = Math.min(100, max - rows.length);
      const last = rows[rows.length - 1];
      const page = await store.list(
        channelId,
        last ? { before: last.id, limit, includeDeleted: true } : { limit, includeDeleted: true },
      );
      rows.push(...page);
      if (page.length < limit) {
        complete = true;
        break;
      }
    }
    const floor = complete ? ZERO : pad(rows[rows.length - 1]!.id);
    const args: Array<string | number> = [...k, gen, ttlMs, floor];
    for (const row of rows) args.push(pad(row.id), encode(row));
    try {
      const ok = await call(() => runScript(redis, FILL, args));
      if (ok === 1) counters.fills++;
      else counters.fillsAborted++;
    } catch {
      counters.redisErrors++;
    }
    return rows;
  }

  async function cachedRead(
    channelId: string,
    dir: 'asc' | 'desc',
    bound: bigint | null,
    limit: number,
    includeDeleted: boolean,
  ): Promise<StoredMessage[] | 'none' | 'miss'> {
    const res = (await call(() =>
      runScript(redis, READ, [
        ...keys(channelId).slice(0, 3),
        dir,
        bound === null ? '' : pad(bound),
        limit,
        includeDeleted ? '1' : '0',
      ]),
    )) as string[];
    const status = res[0];
    if (status !== 'hit') return status === 'none' ? 'none' : 'miss';
    try {
      return res.slice(1).map(decode);
    } catch {
      // A window that does not decode (foreign writer, manual edit) is dropped and the store answers.
      await afterWrite(channelId);
      return 'miss';
    }
  }

  async function list(channelId: string, query?: ListQuery): Promise<StoredMessage[]> {
    // Validate exactly as the store would, so a bad query fails the same way whether or not it would have hit.
    parseId(channelId, 'channelId');
    const { cursor, limit, includeDeleted } = parseListQuery(query);
    if (cursor.kind === 'around' || !(await cacheable(channelId))) {
      counters.misses++;
      return store.list(channelId, query);
    }
    const dir = cursor.kind === 'after' ? 'asc' : 'desc';
    const bound = cursor.kind === 'latest' ? null : cursor.id;
    let cached: StoredMessage[] | 'none' | 'miss';
    try {
      cached = await cachedRead(channelId, dir, bound, limit, includeDeleted);
    } catch {
      counters.redisErrors++;
      cached = 'miss';
    }
    if (Array.isArray(cached)) {
      counters.hits++;
      return dir === 'asc' ? cached.reverse() : cached;
    }
    counters.misses++;
    if (cached === 'none' && cursor.kind === 'latest') {
      const rows = await fill(channelId);
      if (rows) {
        const live = includeDeleted ? rows : rows.filter((r) => !r.deleted);
        // The window is the newest rows of the channel: its first `limit` live rows are the answer when it has that
        // many, or when it holds the whole channel.
        if (live.length >= limit || rows.length < max) return live.slice(0, limit);
      }
    }
    return store.list(channelId, query);
  }

  const cached: RedisCachedStore = {
    bucketMs: store.bucketMs,

    async create(message) {
      const created = await writing(
        message?.channelId,
        () => store.create(message),
        () => false,
      );
      if (!(await cacheable(created.channelId).catch(() => false))) {
        dirty.add(created.channelId);
        return created;
      }
      try {
        await call(() =>
          runScript(redis, ADD, [...keys(created.channelId), pad(created.id), encode(created), max, genTtl]),
        );
      } catch {
        counters.redisErrors++;
        dirty.add(created.channelId);
      }
      return created;
    },

    async get(channelId, messageId) {
      const id = parseId(messageId, 'messageId');
      parseId(channelId, 'channelId');
      if (await cacheable(channelId)) {
        try {
          const body = (await call(() => runScript(redis, GET, [...keys(channelId).slice(0, 3), pad(id)]))) as
            | string
            | null;
          if (typeof body === 'string' && body !== 'absent') {
            const message = (() => {
              try {
                return decode(body);
              } catch {
                return null;
              }
            })();
            if (message) {
              counters.hits++;
              return message;
            }
            await afterWrite(channelId);
          }
        } catch {
          counters.redisErrors++;
        }
      }
      counters.misses++;
      return store.get(channelId, messageId);
    },

    edit(channelId, messageId, patch) {
      return writing(
        channelId,
        () => store.edit(channelId, messageId, patch),
        () => true,
      );
    },

    delete(channelId, messageId) {
      return writing(
        channelId,
        () => store.delete(channelId, messageId),
        (deleted) => deleted,
      );
    },

    bulkDelete(channelId, messageIds) {
      return writing(
        channelId,
        () => store.bulkDelete(channelId, messageIds),
        (count) => count > 0,
      );
    },

    list,

    stats: () => ({ ...counters }),
    pendingInvalidations: () => dirty.size,
    invalidate: (channelId) => afterWrite(channelId),

    async close() {
      redis.off('ready', onReady);
      await store.close();
    },
  };

  if (isBucketedStore(store)) {
    const bucketed = store as BucketedStore;
    const extra: Partial<BucketedStore> = {
      listBucket: (channelId, bucket, opts) => bucketed.listBucket(channelId, bucket, opts),
      putRaw: (message) =>
        writing(
          message?.channelId,
          () => bucketed.putRaw(message),
          () => true,
        ),
    };
    if (bucketed.channelBuckets) extra.channelBuckets = (channelId) => bucketed.channelBuckets!(channelId);
    Object.assign(cached, extra);
  }
  return cached as S extends BucketedStore ? RedisCachedStore & BucketedStore : RedisCachedStore;
}
