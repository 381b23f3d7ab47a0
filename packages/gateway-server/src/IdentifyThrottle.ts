/**
 * Identify concurrency: one Identify per bucket per interval, later ones wait their turn (queued, never refused).
 * Buckets are `${userId}:${shard_id % max_concurrency}`, as Discord keys them per application. The default is
 * `InMemoryIdentifyThrottle` (one node); `createRedisIdentifyThrottle` (`@concord/gateway-server/redis`) makes
 * every node of a cluster share the buckets.
 */
export interface IdentifyThrottle {
  /**
   * Resolves when an Identify in `bucket` may go ahead, with `true` when it had to wait for it. `gone()` tells that
   * the connection closed meanwhile: the throttle then gives its place up (and may resolve early).
   */
  wait(bucket: string, gone?: () => boolean): Promise<boolean>;
  /**
   * Optional synchronous fast path: lets an Identify through at once and answers true when `bucket` is free now (as
   * `wait` resolving with false would), else answers false without queueing (the caller then calls `wait`). Spares
   * the common Identify a promise and a microtask turn.
   */
  pass?(bucket: string): boolean;
  /** Housekeeping, called from the server's liveness sweep. */
  prune?(now: number): void;
}

interface Waiter {
  gone: (() => boolean) | undefined;
  resolve: (waited: boolean) => void;
}

interface Bucket {
  /** When the bucket last let an Identify through. */
  last: number;
  /** Waiting Identifies, first come first served. */
  queue: Waiter[];
  timer: NodeJS.Timeout | null;
}

/**
 * One node's buckets, in memory: a FIFO queue per bucket, one Identify let through per interval. A place is held by a
 * live connection only: waiters whose `gone()` is true are skipped when their turn comes (without using the
 * interval) and dropped by `prune`, so connections that queued and closed delay nobody.
 */
export class InMemoryIdentifyThrottle implements IdentifyThrottle {
  readonly intervalMs: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(intervalMs: number) {
    this.intervalMs = intervalMs;
  }

  /** true when an Identify in this bucket would have to wait. */
  busy(bucket: string, now = Date.now()): boolean {
    const b = this.#buckets.get(bucket);
    return this.intervalMs > 0 && b !== undefined && (b.queue.length > 0 || b.last + this.intervalMs > now);
  }

  /** Identifies waiting, over every bucket. */
  get queued(): number {
    let n = 0;
    for (const b of this.#buckets.values()) n += b.queue.length;
    return n;
  }

  /** Lets an Identify through when the bucket is free now (see {@link IdentifyThrottle.pass}). */
  pass(bucket: string, now = Date.now()): boolean {
    if (this.intervalMs <= 0) return true;
    const b = this.#buckets.get(bucket);
    if (b === undefined) {
      this.#buckets.set(bucket, { last: now, queue: [], timer: null });
      return true;
    }
    dropGone(b);
    if (b.queue.length === 0 && now >= b.last + this.intervalMs) {
      b.last = now;
      return true;
    }
    return false;
  }

  /** Resolves when this caller may identify (or, early, once `gone()` is true). */
  wait(bucket: string, gone?: () => boolean, now = Date.now()): Promise<boolean> {
    if (this.intervalMs <= 0) return Promise.resolve(false);
    let b = this.#buckets.get(bucket);
    if (!b) {
      b = { last: Number.NEGATIVE_INFINITY, queue: [], timer: null };
      this.#buckets.set(bucket, b);
    }
    dropGone(b);
    if (b.queue.length === 0 && now >= b.last + this.intervalMs) {
      b.last = now;
      return Promise.resolve(false);
    }
    const queue = b.queue;
    const waiting = new Promise<boolean>((resolve) => queue.push({ gone, resolve }));
    this.#schedule(bucket, b);
    return waiting;
  }

  /** Gives the places of gone callers up and forgets idle buckets (called from the server's sweep). */
  prune(now = Date.now()): void {
    for (const [key, b] of this.#buckets) {
      dropGone(b);
      if (b.queue.length > 0) continue;
      if (b.timer) {
        clearTimeout(b.timer);
        b.timer = null;
      }
      if (b.last + this.intervalMs <= now) this.#buckets.delete(key);
    }
  }

  #schedule(key: string, b: Bucket): void {
    if (b.timer) return;
    b.timer = setTimeout(
      () => {
        b.timer = null;
        this.#pump(key, b);
      },
      Math.max(0, b.last + this.intervalMs - Date.now()),
    );
    b.timer.unref();
  }

  #pump(key: string, b: Bucket): void {
    const now = Date.now();
    // Skipped places cost nothing: the next live waiter goes at once if the interval has passed.
    while (b.queue.length > 0 && b.queue[0]!.gone?.()) b.queue.shift()!.resolve(true);
    if (b.queue.length > 0 && now >= b.last + this.intervalMs) {
      b.last = now;
      b.queue.shift()!.resolve(true);
    }
    if (b.queue.length > 0) this.#schedule(key, b);
  }
}

/** Resolves (early) and removes every waiter whose connection is gone, wherever it stands in the queue. */
function dropGone(b: Bucket): void {
  if (!b.queue.some((w) => w.gone?.())) return;
  const kept: Waiter[] = [];
  for (const w of b.queue) {
    if (w.gone?.()) w.resolve(true);
    else kept.push(w);
  }
  b.queue = kept;
}
