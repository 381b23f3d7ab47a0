import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { IDENTIFY_QUEUE, runScript } from '@concord/redis-kit';
import type { Redis } from 'ioredis';
import type { IdentifyThrottle } from '../IdentifyThrottle.js';

export interface RedisIdentifyThrottleOptions {
  /** A connected ioredis client (left open: the caller owns it). */
  redis: Redis;
  /** One Identify per bucket per this many ms across every node (default 5000; give all nodes the same). */
  intervalMs?: number;
  /** Key prefix, so several deployments can share one Redis (default `concord:gw:`). */
  prefix?: string;
  /**
   * How long a waiting Identify keeps its place without renewing it (default 15000; renewed every third of it). The
   * places held by a node that dies are freed this long after.
   */
  leaseMs?: number;
}

export interface RedisIdentifyThrottle extends IdentifyThrottle {
  /** Stops every pending wait (they resolve at once, giving their places up); the Redis client stays open. */
  close(): Promise<void>;
}

/** How often a sleeping waiter looks whether its connection went away. */
const GONE_CHECK_MS = 250;

/**
 * Identify buckets shared by every gateway node through Redis, so a cluster as a whole lets one Identify per bucket
 * through per interval (max_concurrency enforced fleet-wide). Waiters are served in arrival order, each sleeps until
 * its estimated turn (no polling herd), and the clock is Redis'.
 */
export function createRedisIdentifyThrottle(options: RedisIdentifyThrottleOptions): RedisIdentifyThrottle {
  const { redis } = options;
  const intervalMs = options.intervalMs ?? 5000;
  const prefix = options.prefix ?? 'concord:gw:';
  const leaseMs = Math.max(3, options.leaseMs ?? 15_000);
  const renewMs = Math.floor(leaseMs / 3);
  const node = randomBytes(8).toString('hex');
  const closing = new AbortController();
  let next = 0;

  return {
    async wait(bucket, gone) {
      if (intervalMs <= 0) return false;
      const tag = `{${prefix}identify:${bucket}}`;
      const keys = [`${tag}:queue`, `${tag}:leases`, `${tag}:state`];
      const member = `${node}:${next++}`;
      const call = (mode: 'take' | 'leave') =>
        runScript(redis, IDENTIFY_QUEUE, [...keys, member, intervalMs, leaseMs, mode]);
      let waited = false;
      for (;;) {
        if (closing.signal.aborted || gone?.()) {
          await call('leave').catch(() => undefined);
          return waited;
        }
        // The reply's third element (Redis time of the call) is only read by gateway-client's queue.
        const [state, waitMs] = (await call('take')) as [number, number];
        if (state === 1) return waited;
        waited = true;
        // Sleep to the estimated turn (or the lease renewal), looking at `gone()` now and then at no cost to Redis.
        const until = performance.now() + Math.max(1, Math.min(waitMs, renewMs));
        for (let left = until - performance.now(); left > 0 && !gone?.(); left = until - performance.now()) {
          await sleep(Math.min(Math.ceil(left), GONE_CHECK_MS), undefined, {
            signal: closing.signal,
            ref: false,
          }).catch(() => undefined);
          if (closing.signal.aborted) break;
        }
      }
    },
    async close() {
      closing.abort();
    },
  };
}
