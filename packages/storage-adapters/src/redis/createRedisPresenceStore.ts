import { luaScript, runScript } from '@concord/redis-kit';
import type { Cluster, Redis } from 'ioredis';
import { InvalidArgumentError } from '../errors/index.js';
import type { PresenceStore } from '../presence/PresenceStore.js';
import { assertRedisUsable, mapRedisError } from './mapRedisError.js';
import { parseJson } from './parseJson.js';

export interface RedisPresenceStoreOptions {
  redis: Redis | Cluster;
  /** Default 'concord:pres:'. */
  keyPrefix?: string;
}

export interface RedisPresenceStore extends PresenceStore {
  close(): Promise<void>;
}

/*
 * One hash per guild (field = user id). Redis 7.0 has no per-field TTL, so each value carries its expiry, read with
 * the server's clock (TIME) so that nodes with skewed clocks agree; expired fields are removed lazily when read.
 */
const SET = luaScript(
  `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
local e = 0
if ttl > 0 then e = now + ttl end
redis.call('HSET', KEYS[1], ARGV[1], string.format('%d', e) .. '|' .. ARGV[3])
return 1`,
  1,
);

const READ = luaScript(
  `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
local function live(field, value)
  local sep = string.find(value, '|', 1, true)
  local e = tonumber(string.sub(value, 1, sep - 1))
  if e ~= 0 and e <= now then
    redis.call('HDEL', KEYS[1], field)
    return false
  end
  out[#out + 1] = field
  out[#out + 1] = string.sub(value, sep + 1)
  return true
end
if ARGV[1] ~= '' then
  local v = redis.call('HGET', KEYS[1], ARGV[1])
  if v then live(ARGV[1], v) end
else
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do live(all[i], all[i + 1]) end
end
return out`,
  1,
);

/** Presence per guild in Redis, shared by every gateway node. */
export function createRedisPresenceStore(options: RedisPresenceStoreOptions): RedisPresenceStore {
  const { redis } = options;
  const prefix = options.keyPrefix ?? 'concord:pres:';
  const key = (guildId: string) => `${prefix}{${guildId}}`;
  const checkId = (value: string, what: string) => {
    if (typeof value !== 'string' || value.length === 0 || value.length > 64) {
      throw new InvalidArgumentError(`${what} must be a non-empty string of at most 64 characters`);
    }
  };

  async function run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    assertRedisUsable(redis.status, operation);
    try {
      return await fn();
    } catch (err) {
      throw mapRedisError(err, operation);
    }
  }

  const read = async (guildId: string, userId: string) =>
    (await runScript(redis, READ, [key(guildId), userId])) as string[];

  return {
    set(guildId, userId, presence, ttlMs) {
      return run('presence set', async () => {
        checkId(guildId, 'guildId');
        checkId(userId, 'userId');
        if (ttlMs !== undefined && (!Number.isSafeInteger(ttlMs) || ttlMs < 1)) {
          throw new InvalidArgumentError('ttlMs must be a positive integer');
        }
        if (presence === null || typeof presence !== 'object')
          throw new InvalidArgumentError('presence must be an object');
        await runScript(redis, SET, [key(guildId), userId, ttlMs ?? 0, JSON.stringify(presence)]);
      });
    },

    get(guildId, userId) {
      return run('presence get', async () => {
        checkId(guildId, 'guildId');
        checkId(userId, 'userId');
        const out = await read(guildId, userId);
        return out.length === 2 ? parseJson<Record<string, unknown>>(out[1]!, `presence ${guildId}/${userId}`) : null;
      });
    },

    list(guildId) {
      return run('presence list', async () => {
        checkId(guildId, 'guildId');
        const out = await read(guildId, '');
        const entries: Array<{ userId: string; presence: Record<string, unknown> }> = [];
        for (let i = 0; i + 1 < out.length; i += 2) {
          entries.push({
            userId: out[i]!,
            presence: parseJson<Record<string, unknown>>(out[i + 1]!, `presence ${guildId}/${out[i]}`),
          });
        }
        return entries;
      });
    },

    remove(guildId, userId) {
      return run('presence remove', async () => {
        checkId(guildId, 'guildId');
        checkId(userId, 'userId');
        await redis.hdel(key(guildId), userId);
      });
    },

    async close() {},
  };
}
