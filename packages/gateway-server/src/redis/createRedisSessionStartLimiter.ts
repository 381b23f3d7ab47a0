import { luaScript, runScript } from '@concord/redis-kit';
import type { Redis } from 'ioredis';
import type { SessionStartLimit, SessionStartLimiter } from '../SessionStartLimiter.js';
import { SESSION_START_SCRIPT } from './sessionStartScript.js';

export interface RedisSessionStartLimiterOptions {
  /** A connected ioredis client (left open: the caller owns it). */
  redis: Redis;
  /** Session starts per user per window (default 1000). */
  total?: number;
  /** Window length, ms (default 24 h). The window starts with a user's first session start. */
  resetAfterMs?: number;
  /** Reported as `session_start_limit.max_concurrency` (give the server's `maxConcurrency`; default 1). */
  maxConcurrency?: number;
  /** Key prefix, so several deployments can share one Redis (default `concord:gw:`). */
  prefix?: string;
}

const SESSION_START = luaScript(SESSION_START_SCRIPT, 1);

/** `session_start_limit` counted in Redis, so every gateway node draws from one count per user. */
export function createRedisSessionStartLimiter(options: RedisSessionStartLimiterOptions): SessionStartLimiter {
  const { redis } = options;
  const total = options.total ?? 1000;
  const windowMs = options.resetAfterMs ?? 86_400_000;
  const maxConcurrency = Math.max(1, options.maxConcurrency ?? 1);
  const prefix = options.prefix ?? 'concord:gw:';
  const call = async (userId: string, mode: 'get' | 'take') =>
    (await runScript(redis, SESSION_START, [`${prefix}session-starts:${userId}`, total, windowMs, mode])) as [
      number,
      number,
      number,
    ];
  const limit = (used: number, pttl: number): SessionStartLimit => ({
    total,
    remaining: Math.max(0, total - used),
    reset_after: pttl > 0 ? pttl : windowMs,
    max_concurrency: maxConcurrency,
  });
  return {
    async get(userId) {
      const [, used, pttl] = await call(userId, 'get');
      return limit(used, pttl);
    },
    async consume(userId) {
      const [taken] = await call(userId, 'take');
      return taken === 1;
    },
  };
}
