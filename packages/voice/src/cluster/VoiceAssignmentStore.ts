type Awaitable<T> = T | PromiseLike<T>;

/**
 * Where channels are placed, shared by every allocator of a fleet (one per gateway node): the first allocator to place
 * a channel decides, the others read its choice, so the members of one call land on one voice node whichever gateway
 * node they are connected to. Keys are `guildId:channelId`, values voice node ids.
 */
export interface VoiceAssignmentStore {
  /** The node the channel is on, or null; refreshes the entry's TTL. */
  get(key: string): Awaitable<string | null>;
  /** Places the channel on `nodeId` unless it is already placed; returns the node it is on afterwards. */
  claim(key: string, nodeId: string): Awaitable<string>;
  /**
   * Moves the channel off `from` (compare-and-set: only if it is still there) to `to` (null = nowhere); returns the
   * node it is on afterwards. Two allocators seeing the same node die both call it; the second gets the first's pick.
   */
  move(key: string, from: string, to: string | null): Awaitable<string | null>;
}

/** The single-process store (the default): a Map with the same TTL semantics as the shared ones. */
export function createInMemoryAssignmentStore(options: { ttlMs?: number } = {}): VoiceAssignmentStore {
  const ttl = options.ttlMs ?? 600_000;
  const entries = new Map<string, { node: string; expiresAt: number }>();
  const read = (key: string): string | null => {
    const entry = entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return null;
    }
    return entry.node;
  };
  const write = (key: string, node: string) => {
    // Sweep on write: bounded by the number of channels placed within one TTL.
    if (entries.size > 0 && entries.size % 1024 === 0) for (const k of entries.keys()) read(k);
    entries.set(key, { node, expiresAt: Date.now() + ttl });
    return node;
  };
  return {
    get: (key) => {
      const node = read(key);
      return node === null ? null : write(key, node);
    },
    claim: (key, nodeId) => read(key) ?? write(key, nodeId),
    move: (key, from, to) => {
      const current = read(key);
      if (current !== from) return current;
      if (to === null) {
        entries.delete(key);
        return null;
      }
      return write(key, to);
    },
  };
}

/** The subset of an ioredis client (or anything alike) the Redis store uses. */
export interface RedisLikeClient {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

const GET = `local v = redis.call('GET', KEYS[1])
if v then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return v`;
const CLAIM = `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return ARGV[1] end
return redis.call('GET', KEYS[1])`;
const MOVE = `local v = redis.call('GET', KEYS[1])
if v ~= ARGV[1] then return v end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) return false end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return ARGV[2]`;

/**
 * The fleet-wide store on Redis: one key per channel (`prefix + guildId:channelId`) holding the node id, with a TTL
 * refreshed on every join, so channels nobody joins any more vanish by themselves. Each operation is one Lua script
 * (atomic compare-and-set). Takes any client with ioredis' `eval(script, numKeys, ...args)`; this package does not
 * depend on a Redis driver.
 */
export function createRedisAssignmentStore(
  redis: RedisLikeClient,
  options: { prefix?: string; ttlMs?: number } = {},
): VoiceAssignmentStore {
  const prefix = options.prefix ?? 'concord:voice:channel:';
  const ttl = String(options.ttlMs ?? 600_000);
  const text = (value: unknown): string | null =>
    typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : null;
  return {
    get: async (key) => text(await redis.eval(GET, 1, prefix + key, ttl)),
    claim: async (key, nodeId) => text(await redis.eval(CLAIM, 1, prefix + key, nodeId, ttl)) ?? nodeId,
    move: async (key, from, to) => text(await redis.eval(MOVE, 1, prefix + key, from, to ?? '', ttl)),
  };
}
