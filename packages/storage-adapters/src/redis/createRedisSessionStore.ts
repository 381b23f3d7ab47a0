import type { Cluster, Redis } from 'ioredis';
import { CorruptDataError, InvalidArgumentError } from '../errors/index.js';
import type { SessionRecord, SessionStore } from '../sessions.js';
import { assertRedisUsable, mapRedisError } from './mapRedisError.js';
import { parseJson } from './parseJson.js';

export interface RedisSessionStoreOptions {
  redis: Redis | Cluster;
  /** Default 'concord:sess:'. */
  keyPrefix?: string;
}

export interface RedisSessionStore extends SessionStore {
  close(): Promise<void>;
}

const STRING = 0x73; // 's'
const BYTES = 0x62; // 'b'

/** Replay entry: 8-byte big-endian seq, 1 type byte, then the frame, binary-safe. */
export function encodeReplayEntry(seq: number, frame: Uint8Array | string): Buffer {
  const body =
    typeof frame === 'string'
      ? Buffer.from(frame, 'utf8')
      : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  const out = Buffer.allocUnsafe(9 + body.length);
  out.writeBigUInt64BE(BigInt(seq), 0);
  out[8] = typeof frame === 'string' ? STRING : BYTES;
  body.copy(out, 9);
  return out;
}

/** Decodes an entry; null when it is not one (truncated, unknown type, seq beyond 2^53). Never throws. */
export function decodeReplayEntry(entry: Buffer): { seq: number; frame: Uint8Array | string } | null {
  if (entry.length < 9) return null;
  const big = entry.readBigUInt64BE(0);
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  const seq = Number(big);
  const body = entry.subarray(9);
  if (entry[8] === STRING) return { seq, frame: body.toString('utf8') };
  if (entry[8] === BYTES) return { seq, frame: new Uint8Array(body) };
  return null;
}

function checkTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) throw new InvalidArgumentError('ttlMs must be a positive integer');
}

/**
 * Sessions in Redis for resume across gateway nodes: the record is a JSON string with a TTL; the replay log is a list
 * of binary entries trimmed to `maxEntries` in the same MULTI as the push, with its own TTL refreshed on every append.
 */
export function createRedisSessionStore(options: RedisSessionStoreOptions): RedisSessionStore {
  const { redis } = options;
  const prefix = options.keyPrefix ?? 'concord:sess:';
  // Same hash tag for a session's two keys, so MULTI works on Redis Cluster too.
  const recordKey = (id: string) => `${prefix}{${id}}:record`;
  const logKey = (id: string) => `${prefix}{${id}}:replay`;
  const checkId = (id: string) => {
    if (typeof id !== 'string' || id.length === 0 || id.length > 256) {
      throw new InvalidArgumentError('sessionId must be a non-empty string of at most 256 characters');
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

  return {
    save(record, ttlMs) {
      return run('session save', async () => {
        checkId(record?.sessionId);
        checkTtl(ttlMs);
        await redis.set(recordKey(record.sessionId), JSON.stringify(record), 'PX', ttlMs);
      });
    },

    get(sessionId) {
      return run('session get', async () => {
        checkId(sessionId);
        const raw = await redis.get(recordKey(sessionId));
        return raw === null ? null : parseJson<SessionRecord>(raw, `session ${sessionId}`);
      });
    },

    delete(sessionId) {
      return run('session delete', async () => {
        checkId(sessionId);
        await redis.del(recordKey(sessionId), logKey(sessionId));
      });
    },

    appendReplay(sessionId, seq, frame, maxEntries, ttlMs) {
      return run('session appendReplay', async () => {
        checkId(sessionId);
        checkTtl(ttlMs);
        if (!Number.isSafeInteger(seq) || seq < 0) throw new InvalidArgumentError('seq must be a non-negative integer');
        if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
          throw new InvalidArgumentError('maxEntries must be a positive integer');
        }
        const key = logKey(sessionId);
        const results = await redis
          .multi()
          .rpush(key, encodeReplayEntry(seq, frame))
          .ltrim(key, -maxEntries, -1)
          .pexpire(key, ttlMs)
          .exec();
        const failed = results?.find(([err]) => err);
        if (!results || failed) throw failed?.[0] ?? new Error('transaction aborted');
      });
    },

    replayFrom(sessionId, afterSeq) {
      return run('session replayFrom', async () => {
        checkId(sessionId);
        if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) {
          throw new InvalidArgumentError('afterSeq must be a non-negative integer');
        }
        const results = await redis.multi().exists(recordKey(sessionId)).lrangeBuffer(logKey(sessionId), 0, -1).exec();
        if (!results) throw new Error('transaction aborted');
        const [[e1, exists], [e2, entries]] = results as [[Error | null, number], [Error | null, Buffer[]]];
        if (e1 || e2) throw e1 ?? e2;
        if (exists !== 1) return null;
        const frames: Array<{ seq: number; frame: Uint8Array | string }> = [];
        for (const entry of entries) {
          const frame = decodeReplayEntry(entry);
          // Skipping a frame would replay a gap as if it were complete: refuse instead.
          if (frame === null) throw new CorruptDataError(`session ${sessionId}: undecodable replay entry`);
          frames.push(frame);
        }
        const oldest = frames[0];
        // Frames after afterSeq were evicted: the client cannot resume, it must identify again.
        if (oldest && oldest.seq > afterSeq + 1) return null;
        return frames.filter((f) => f.seq > afterSeq);
      });
    },

    async close() {},
  };
}
