import type { Redis, RedisOptions } from 'ioredis';
import type { BrokerMessage, StreamPosition } from '../Broker.js';
import { decodeBrokerMessage } from '../brokers/brokerCodec.js';
import { loadIoredis } from '../optionalDependency.js';
import { decodeJournalEntry } from './journalEntryCodec.js';
import { ResumeError } from './ResumeError.js';
import type { ClaimedSession, ResumeStore, SessionWrite, TopicTail } from './ResumeStore.js';
import { decodeSessionRecord } from './sessionRecordCodec.js';
import { isStreamId } from './streamId.js';

export interface RedisResumeStoreOptions {
  /** A URL, ioredis options, or a client to share (left open by `close()`). Default `redis://127.0.0.1:6379`. */
  redis?: Redis | RedisOptions | string;
  /** The Redis broker's prefix: topic histories are read from `<prefix>h:<topic>`. Default `concord:gw:`. */
  prefix?: string;
  /** Prefix of the session keys (`<keyPrefix>{<id>}:r` record hash, `<keyPrefix>{<id>}:j` journal list). */
  keyPrefix?: string;
}

export interface RedisResumeStore extends ResumeStore {
  close(): Promise<void>;
}

// Per session: gen, create, refresh, user, record, nCursors, (topic, id)…, nEntries, entries…  — fenced by the record's
// `gen`. TTLs are reset on create and refresh only: a key keeps its TTL through RPUSH/HSET, and the periodic refresh
// (every quarter of the resume TTL) is what keeps a held session alive.
const COMMIT = `
local ttl, maxn = ARGV[1], tonumber(ARGV[2])
local a, lost = 3, {}
for k = 1, #KEYS, 2 do
  local rec, log = KEYS[k], KEYS[k + 1]
  local gen, create, refresh, user, record = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  local nc = tonumber(ARGV[a + 5])
  a = a + 6
  local cursorsAt = a
  a = a + 2 * nc
  local ne = tonumber(ARGV[a])
  local entriesAt = a + 1
  a = entriesAt + ne
  local ok
  if create == '1' then
    redis.call('DEL', rec, log)
    redis.call('HSET', rec, 'gen', gen, 'user', user)
    ok = true
  else
    ok = redis.call('HGET', rec, 'gen') == gen
  end
  if ok then
    if record ~= '' then redis.call('HSET', rec, 'data', record) end
    for c = cursorsAt, cursorsAt + 2 * nc - 1, 2 do redis.call('HSET', rec, 'c:' .. ARGV[c], ARGV[c + 1]) end
    for e = entriesAt, entriesAt + ne - 1, 1000 do
      redis.call('RPUSH', log, unpack(ARGV, e, math.min(e + 999, entriesAt + ne - 1)))
    end
    if ne > 0 then redis.call('LTRIM', log, -maxn, -1) end
    if create == '1' or refresh == '1' then
      redis.call('PEXPIRE', rec, ttl)
      redis.call('PEXPIRE', log, ttl)
    end
  else
    lost[#lost + 1] = (k + 1) / 2
  end
end
return lost`;

const CLAIM = `
if redis.call('HEXISTS', KEYS[1], 'data') == 0 or redis.call('HGET', KEYS[1], 'user') ~= ARGV[2] then return false end
local gen = redis.call('HINCRBY', KEYS[1], 'gen', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return { gen, redis.call('HGETALL', KEYS[1]), redis.call('LRANGE', KEYS[2], 0, -1) }`;

const REMOVE = `
if redis.call('HGET', KEYS[1], 'gen') == ARGV[1] then redis.call('DEL', KEYS[1], KEYS[2]) end
return 0`;

// Whether anything after the cursor was trimmed: trimming drops the oldest entries first, so the cursor's own entry
// still being there proves everything after it is. A `0-0` cursor (no history when the session started listening)
// has lost something once more entries were ever added than are left. (max-deleted-entry-id misses MAXLEN trims.)
const READ_AFTER = `
if redis.call('EXISTS', KEYS[1]) == 0 then return { 0 } end
local after = ARGV[1]
if after == '0-0' then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  local added, length = 0, 0
  for i = 1, #info, 2 do
    if info[i] == 'entries-added' then added = info[i + 1] elseif info[i] == 'length' then length = info[i + 1] end
  end
  if added > length then return { 2 } end
elseif #redis.call('XRANGE', KEYS[1], after, after) == 0 then
  return { 2 }
end
return { 1, redis.call('XRANGE', KEYS[1], '(' .. after, '+', 'COUNT', ARGV[2]) }`;

type StreamEntry = [id: string, fields: string[]];

type ScriptRedis = Redis & {
  concordResumeCommit(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
  concordResumeClaim(
    record: string,
    journal: string,
    ttlMs: number,
    userId: string,
  ): Promise<[number, string[], string[]] | null>;
  concordResumeRemove(record: string, journal: string, gen: number): Promise<number>;
  concordResumeReadAfter(stream: string, after: string, count: number): Promise<[0] | [2] | [1, StreamEntry[]]>;
};

/** Sessions per script call: bounds how long one call holds Redis; the calls of a commit still go out together. */
const CHUNK = 256;

function toMessage(topic: string, entry: StreamEntry): BrokerMessage | null {
  const [id, fields] = entry;
  const at = fields.indexOf('m');
  if (at < 0 || at % 2 !== 0 || typeof fields[at + 1] !== 'string') return null;
  try {
    const message = decodeBrokerMessage(fields[at + 1]!);
    message.position = { topic, id };
    return message;
  } catch {
    return null;
  }
}

/**
 * The resume store over Redis: a hash per session (generation, encoded record, one cursor per topic) and a list
 * journal trimmed to `maxEntries`, both expiring `ttlMs` after the last commit; messages themselves are read from the
 * Redis broker's topic histories. Single Redis (or one hash slot per session and its script calls: not Redis Cluster).
 */
export async function createRedisResumeStore(options: RedisResumeStoreOptions = {}): Promise<RedisResumeStore> {
  const prefix = options.prefix ?? 'concord:gw:';
  const keyPrefix = options.keyPrefix ?? `${prefix}s:`;
  const target = options.redis;
  const given = target instanceof loadIoredis().Redis ? target : null;
  const redis = (given ??
    (typeof target === 'string'
      ? new (loadIoredis().Redis)(target)
      : new (loadIoredis().Redis)(
          (target as RedisOptions | undefined) ?? { host: '127.0.0.1', port: 6379 },
        ))) as ScriptRedis;
  redis.defineCommand('concordResumeCommit', { lua: COMMIT });
  redis.defineCommand('concordResumeClaim', { numberOfKeys: 2, lua: CLAIM });
  redis.defineCommand('concordResumeRemove', { numberOfKeys: 2, lua: REMOVE });
  redis.defineCommand('concordResumeReadAfter', { numberOfKeys: 1, lua: READ_AFTER });
  if (!given) redis.on('error', () => undefined);
  try {
    await redis.ping();
  } catch (error) {
    if (!given) redis.disconnect();
    throw error;
  }

  const recordKey = (id: string) => `${keyPrefix}{${id}}:r`;
  const journalKey = (id: string) => `${keyPrefix}{${id}}:j`;
  const streamKey = (topic: string) => `${prefix}h:${topic}`;

  async function commitChunk(writes: SessionWrite[], ttlMs: number, maxEntries: number): Promise<string[]> {
    const keys: string[] = [];
    const args: (string | number)[] = [Math.max(1, Math.ceil(ttlMs)), maxEntries];
    for (const w of writes) {
      keys.push(recordKey(w.sessionId), journalKey(w.sessionId));
      args.push(w.gen, w.create ? '1' : '0', w.refresh ? '1' : '0', w.userId, w.record ?? '', w.cursors.length);
      for (const [topic, id] of w.cursors) args.push(topic, id);
      args.push(w.entries.length, ...w.entries);
    }
    const lost = await redis.concordResumeCommit(keys.length, ...keys, ...args);
    return lost.map((index) => writes[index - 1]!.sessionId);
  }

  return {
    async commit(writes, ttlMs, maxEntries) {
      if (writes.length === 0) return [];
      const calls: Promise<string[]>[] = [];
      for (let i = 0; i < writes.length; i += CHUNK)
        calls.push(commitChunk(writes.slice(i, i + CHUNK), ttlMs, maxEntries));
      return (await Promise.all(calls)).flat();
    },

    async claim(sessionId, userId, ttlMs): Promise<ClaimedSession | null> {
      const reply = await redis.concordResumeClaim(
        recordKey(sessionId),
        journalKey(sessionId),
        Math.max(1, Math.ceil(ttlMs)),
        userId,
      );
      if (!reply) return null;
      const [gen, hash, journal] = reply;
      let data: string | undefined;
      const cursors = new Map<string, string>();
      for (let i = 0; i + 1 < hash.length; i += 2) {
        const field = hash[i]!;
        const value = hash[i + 1]!;
        if (field === 'data') data = value;
        else if (field.startsWith('c:')) {
          if (!isStreamId(value)) throw new ResumeError('INVALID_STREAM_ID', `bad cursor for ${field.slice(2)}`);
          cursors.set(field.slice(2), value);
        }
      }
      if (data === undefined) return null;
      const record = decodeSessionRecord(data);
      if (record.sessionId !== sessionId || record.user.id !== userId) {
        throw new ResumeError('INVALID_SESSION_RECORD', 'session or user id mismatch');
      }
      return { gen: Number(gen), record, cursors, entries: journal.map(decodeJournalEntry) };
    },

    async remove(sessionId, gen) {
      await redis.concordResumeRemove(recordKey(sessionId), journalKey(sessionId), gen);
    },

    async topicHead(topic) {
      const [last] = (await redis.xrevrange(streamKey(topic), '+', '-', 'COUNT', 1)) as StreamEntry[];
      return last?.[0] ?? '0-0';
    },

    async readAfter(topic, after, limit): Promise<TopicTail> {
      const reply = await redis.concordResumeReadAfter(streamKey(topic), after, limit + 1);
      // No history at all: it expired, which the TTL rule (history ttl > resume ttl) says happens only when idle.
      if (reply[0] === 0) return [];
      if (reply[0] === 2) return null;
      const [, entries] = reply;
      if (entries.length > limit) return null;
      const out: BrokerMessage[] = [];
      for (const entry of entries) {
        const message = toMessage(topic, entry);
        // Garbage in the history is skipped, as live delivery drops what it cannot decode.
        if (message) out.push(message);
      }
      return out;
    },

    async fetch(positions: StreamPosition[]) {
      if (positions.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const { topic, id } of positions) pipeline.xrange(streamKey(topic), id, id);
      const results = (await pipeline.exec()) ?? [];
      return positions.map(({ topic }, i) => {
        const [error, entries] = results[i] ?? [new Error('missing reply'), null];
        if (error || !Array.isArray(entries) || entries.length !== 1) return null;
        return toMessage(topic, entries[0] as StreamEntry);
      });
    },

    async close() {
      if (!given && redis.status !== 'end') await redis.quit().catch(() => undefined);
    },
  };
}
