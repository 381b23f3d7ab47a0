import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { IDENTIFY_QUEUE, runScript } from '@concord/redis-kit';
import type { Redis } from 'ioredis';
import { GatewayClientError } from '../GatewayClientError.js';
import type { IdentifyQueue } from '../IdentifyQueue.js';

export interface RedisIdentifyQueueOptions {
  /** A connected ioredis client (left open: the caller owns it). One is enough for every shard of the process. */
  redis: Redis;
  /**
   * Names this bot's buckets in Redis; every process of one bot must use the same key (and `maxConcurrency`), and
   * different bots different keys. Default `concord:identify`.
   */
  key?: string;
  /** `session_start_limit.max_concurrency`: shards are in bucket `shard_id % maxConcurrency`. */
  maxConcurrency: number;
  /** One Identify per bucket per this many ms, fleet-wide (default 5000). */
  intervalMs?: number;
  /**
   * How long a waiter keeps its place without renewing it (default 15000). Waiters renew every third of it, so a
   * process that dies while waiting holds its place up to this long, then the ones behind it move up.
   */
  leaseMs?: number;
}

/** When a shard was let through. */
export interface IdentifyGrant {
  shardId: number;
  bucket: number;
  /** Redis time (ms since the epoch) of the grant: grants of one bucket are at least `intervalMs` apart. */
  grantedAt: number;
}

export interface RedisIdentifyQueue extends IdentifyQueue {
  readonly maxConcurrency: number;
  readonly intervalMs: number;
  wait(shardId: number, signal?: AbortSignal): Promise<IdentifyGrant>;
  /** Gives up every place this queue holds (pending waits reject with `DESTROYED`); the Redis client stays open. */
  close(): Promise<void>;
}

/**
 * A fleet-wide identify queue in Redis: every process of a bot (each running a range of shards) shares the
 * `max_concurrency` buckets, so the fleet as a whole never identifies twice in one bucket within `intervalMs`. Waiters
 * are served in arrival order, each sleeps until its own estimated turn (no polling herd), and the time is Redis'.
 */
export function createRedisIdentifyQueue(options: RedisIdentifyQueueOptions): RedisIdentifyQueue {
  const { redis } = options;
  const key = options.key ?? 'concord:identify';
  const maxConcurrency = Math.max(1, Math.floor(options.maxConcurrency));
  const intervalMs = options.intervalMs ?? 5000;
  const leaseMs = options.leaseMs ?? 15_000;
  if (!Number.isInteger(maxConcurrency) || !(intervalMs >= 0) || !(leaseMs > 0)) {
    throw new GatewayClientError('INVALID_OPTIONS', 'maxConcurrency, intervalMs and leaseMs must be positive numbers');
  }
  const renewMs = Math.max(1, Math.floor(leaseMs / 3));
  const self = randomBytes(8).toString('hex');
  const closing = new AbortController();
  let next = 0;

  const keysOf = (bucket: number): string[] => {
    // One hash tag per bucket: the three keys of a bucket land on the same Redis Cluster slot.
    const tag = `{${key}:${bucket}}`;
    return [`${tag}:queue`, `${tag}:leases`, `${tag}:state`];
  };

  const run = async (bucket: number, member: string, mode: 'take' | 'leave'): Promise<[number, number, number]> =>
    (await runScript(redis, IDENTIFY_QUEUE, [...keysOf(bucket), member, intervalMs, leaseMs, mode])) as [
      number,
      number,
      number,
    ];

  return {
    maxConcurrency,
    intervalMs,
    async wait(shardId, signal) {
      const bucket = shardId % maxConcurrency;
      const member = `${self}:${shardId}:${next++}`;
      const aborted = (): boolean => closing.signal.aborted || signal?.aborted === true;
      const stop = signal ? AbortSignal.any([signal, closing.signal]) : closing.signal;
      try {
        for (;;) {
          if (aborted()) throw new GatewayClientError('DESTROYED', 'identify wait aborted');
          const [state, waitMs, now] = await run(bucket, member, 'take');
          if (state === 1) {
            // Let through: if the caller gave up meanwhile the slot is spent, which only ever delays others.
            return { shardId, bucket, grantedAt: now };
          }
          // Sleep to our estimated turn, but wake in time to renew the lease.
          await sleep(Math.max(1, Math.min(waitMs, renewMs)), undefined, { signal: stop }).catch(() => undefined);
        }
      } catch (error) {
        await run(bucket, member, 'leave').catch(() => undefined);
        throw error;
      }
    },
    async close() {
      closing.abort();
    },
  };
}
