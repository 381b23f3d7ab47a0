import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Identify concurrency: one Identify per bucket per interval, later ones wait their turn (queued, never refused).
 * Buckets are `${userId}:${shard_id % max_concurrency}`, as Discord keys them per application.
 */
export class IdentifyThrottle {
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
  async wait(bucket: string, now = Date.now()): Promise<void> {
    if (this.intervalMs <= 0) return;
    const slot = Math.max(now, this.#next.get(bucket) ?? 0);
    this.#next.set(bucket, slot + this.intervalMs);
    if (slot > now) await sleep(slot - now, undefined, { ref: false });
  }

  /** Forgets buckets whose slot has passed (called from the server's sweep so the map stays small). */
  prune(now = Date.now()): void {
    for (const [bucket, next] of this.#next) if (next <= now) this.#next.delete(bucket);
  }
}
