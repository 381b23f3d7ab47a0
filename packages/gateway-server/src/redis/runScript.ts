import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Runs a Lua script by its SHA1, sending its text only when Redis does not have it cached (first use, restart). */
export function scriptRunner(
  source: string,
): (redis: Redis, keys: string[], args: (string | number)[]) => Promise<unknown> {
  const sha = createHash('sha1').update(source).digest('hex');
  return async (redis, keys, args) => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
      return redis.eval(source, keys.length, ...keys, ...args);
    }
  };
}
