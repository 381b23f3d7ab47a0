import type { Redis, RedisOptions } from 'ioredis';
import type { RawBusBroker } from '../brokers/BusBroker.js';
import { createRedisBroker, type RedisBrokerOptions } from '../brokers/createRedisBroker.js';
import { loadIoredis } from '../optionalDependency.js';
import { createRedisResumeStore, type RedisResumeStore } from '../resume/createRedisResumeStore.js';
import type { SessionStartLimiter } from '../SessionStartLimiter.js';
import {
  createRedisIdentifyThrottle,
  type RedisIdentifyThrottle,
  type RedisIdentifyThrottleOptions,
} from './createRedisIdentifyThrottle.js';
import {
  createRedisSessionStartLimiter,
  type RedisSessionStartLimiterOptions,
} from './createRedisSessionStartLimiter.js';

export interface RedisClusterOptions {
  /**
   * Where Redis is. A connected ioredis client is used by all four parts (the broker adds its own subscriber, a
   * duplicate) and left open by `close()`. A URL or ioredis options: the broker and the resume store each open their
   * connections as they do on their own, the identify throttle and the session-start limiter share one more, and
   * `close()` closes them all.
   */
  redis: Redis | RedisOptions | string;
  /**
   * The one prefix of every key and channel the four parts use, so several deployments can share one Redis. Default
   * `concord:gw:` (the default of each part).
   */
  prefix?: string;
  /**
   * Broker settings beyond the prefix. The per-topic history cannot be turned off here: the resume store reads a
   * resumed session's missed messages from it.
   */
  broker?: Omit<RedisBrokerOptions, 'redis' | 'prefix' | 'history'> & {
    history?: { maxLen?: number; ttlMs?: number };
  };
  /** Identify throttle settings beyond the prefix (give every node the same `intervalMs`). */
  identifyThrottle?: Omit<RedisIdentifyThrottleOptions, 'redis' | 'prefix'>;
  /** Session-start limiter settings beyond the prefix (give every node the same `total` and `resetAfterMs`). */
  sessionStartLimiter?: Omit<RedisSessionStartLimiterOptions, 'redis' | 'prefix'>;
}

/**
 * The four Redis-backed ports a gateway node of a cluster needs, built with one prefix. Pass the first four to
 * `createGatewayServer` (the names match its options).
 */
export interface RedisCluster {
  broker: RawBusBroker;
  resumeStore: RedisResumeStore;
  identifyThrottle: RedisIdentifyThrottle;
  sessionStartLimiter: SessionStartLimiter;
  /** The prefix all four use. */
  readonly prefix: string;
  /** Closes the four parts and the connections opened here (a client passed in stays open). */
  close(): Promise<void>;
}

/**
 * Broker, resume store, identify throttle and session-start limiter over one Redis and ONE prefix. Built separately,
 * each takes its own `prefix`, and a resume store whose prefix differs from its broker's reads empty topic histories:
 * resumes on another node then fail with op 9 instead of at startup. Built here they cannot disagree.
 */
export async function createRedisCluster(options: RedisClusterOptions): Promise<RedisCluster> {
  const prefix = options.prefix ?? 'concord:gw:';
  const given = options.redis instanceof loadIoredis().Redis ? options.redis : null;
  const broker = await createRedisBroker({ ...options.broker, redis: options.redis, prefix });
  let resumeStore: RedisResumeStore;
  try {
    resumeStore = await createRedisResumeStore({ redis: options.redis, prefix });
  } catch (error) {
    await broker.close();
    throw error;
  }
  // The throttle and the limiter take a connected client; with a URL or options they share one of their own.
  const limits =
    given ??
    (typeof options.redis === 'string'
      ? new (loadIoredis().Redis)(options.redis)
      : new (loadIoredis().Redis)(options.redis as RedisOptions));
  if (!given) limits.on('error', (error) => options.broker?.onError?.(error));
  const identifyThrottle = createRedisIdentifyThrottle({ ...options.identifyThrottle, redis: limits, prefix });
  const sessionStartLimiter = createRedisSessionStartLimiter({ ...options.sessionStartLimiter, redis: limits, prefix });
  let closed: Promise<void> | null = null;
  return {
    broker,
    resumeStore,
    identifyThrottle,
    sessionStartLimiter,
    prefix,
    close() {
      closed ??= (async () => {
        await identifyThrottle.close();
        await Promise.all([broker.close(), resumeStore.close()]);
        if (!given && limits.status !== 'end') await limits.quit().catch(() => undefined);
      })();
      return closed;
    },
  };
}
