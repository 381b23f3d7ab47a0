import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/** A Lua script with its SHA1 and how many of its arguments are keys (the first `keys` ones). */
export interface LuaScript {
  source: string;
  sha: string;
  keys: number;
}

export function luaScript(source: string, keys: number): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex'), keys };
}

/**
 * EVALSHA with a fallback to EVAL when the server does not know the script yet (first call, or after a restart that
 * emptied the script cache): the text is sent only then. `args` are the keys first, then the other arguments. Uses the
 * caller's client as-is: no defineCommand, nothing added to it.
 */
export async function runScript(
  redis: Redis | Cluster,
  script: LuaScript,
  args: Array<string | number | Buffer>,
): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, script.keys, ...args);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('NOSCRIPT')) {
      return redis.eval(script.source, script.keys, ...args);
    }
    throw err;
  }
}
