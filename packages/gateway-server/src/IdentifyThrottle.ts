import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Identify concurrency: one Identify per bucket per interval, later ones wait their turn (queued, never refused).
 * Buckets are `${userId}:${shard_id % max_concurrency}`, as Discord keys them per application. The default is
 * `InMemoryIdentifyThrottle` (one node); `createRedisIdentifyThrottle` (`@concord/gateway-server/redis-broker`) makes
 * every node of a cluster share the buckets.
 */
export interface IdentifyThrottle {
  /**
   * Resolves when an Identify in `bucket` may go ahead, with `true` when it had to wait for it. `gone()` tells that
   * the connection closed meanwhile: the throttle may then give its place up (and resolve early).
   */
  wait(bucket: string, gone?: () => boolean): Promise<boolean>;
  /** Housekeeping, called from the server's liveness sweep. */
  prune?(now: number): void;
}

/** One node's buckets, in memory. */
export class InMemoryIdentifyThrottle implements IdentifyThrottle {
  readonly intervalMs: number;
  readonly #next = new Map<string, number>();

  constructor(intervalMs: number) {
    this.intervalMs = intervalMs;
  }

  /** true when an Identify in this bucket would have to wait. */
  busy(bucket: string, now = Date.now()): boolean {
    return this.intervalMs > 0 && (this.#next.get(bucket) ?? 0) > now;
  }

  /** Resolves when this caller may identify; reserves the bucket's next slot. */
  async wait(bucket: string, _gone?: () => boolean, now = Date.now()): Promise<boolean> {
    if (this.intervalMs <= 0) return false;
    const slot = Math.max(now, this.#next.get(bucket) ?? 0);
    this.#next.set(bucket, slot + this.intervalMs);
    if (slot <= now) return false;
    await sleep(slot - now, undefined, { ref: false });
    return true;
  }

  /** Forgets buckets whose slot has passed (called from the server's sweep so the map stays small). */
  prune(now = Date.now()): void {
    for (const [bucket, next] of this.#next) if (next <= now) this.#next.delete(bucket);
  }
}
