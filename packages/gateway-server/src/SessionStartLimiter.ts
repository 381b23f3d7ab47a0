import type { Awaitable } from './types.js';

/** The `session_start_limit` object of GET /gateway/bot. */
export interface SessionStartLimit {
  total: number;
  remaining: number;
  /** Milliseconds until `remaining` is reset to `total`. */
  reset_after: number;
  max_concurrency: number;
}

/**
 * Counts new sessions (Identify, not Resume) per user in a fixed window. The default is `InMemorySessionStartLimiter`
 * (one node); `createRedisSessionStartLimiter` (`@concord/gateway-server/redis`) shares the count across nodes.
 */
export interface SessionStartLimiter {
  get(userId: string): Awaitable<SessionStartLimit>;
  /** Takes one session start; false when none is left in the window. */
  consume(userId: string): Awaitable<boolean>;
  /** Housekeeping, called from the server's liveness sweep. */
  prune?(now: number): void;
}

/** One node's counts, in memory. */
export class InMemorySessionStartLimiter implements SessionStartLimiter {
  readonly total: number;
  readonly windowMs: number;
  readonly maxConcurrency: number;
  /**
   * Per user, the window as one number: `resetAt * radix + used` while that stays an exact integer (see `#pack`),
   * else an object. Every connected user has an entry for a day, and a `{ used, resetAt }` object with its boxed
   * double was ~40 bytes more per user than the one number.
   */
  readonly #users = new Map<string, number | Window>();
  /** A power of two above `total`: `used` never reaches it. */
  readonly #radix: number;

  constructor(total: number, windowMs: number, maxConcurrency: number) {
    this.total = total;
    this.windowMs = windowMs;
    this.maxConcurrency = maxConcurrency;
    this.#radix = 2 ** Math.ceil(Math.log2(Math.max(1, total) + 1));
  }

  /** A user's running window at `now`, or undefined. */
  #live(userId: string, now: number): Window | undefined {
    const entry = this.#users.get(userId);
    if (entry === undefined) return undefined;
    const window = typeof entry === 'number' ? unpack(entry, this.#radix) : entry;
    return window.resetAt > now ? window : undefined;
  }

  get(userId: string, now = Date.now()): SessionStartLimit {
    const live = this.#live(userId, now);
    return {
      total: this.total,
      remaining: this.total - (live?.used ?? 0),
      reset_after: live ? live.resetAt - now : this.windowMs,
      max_concurrency: this.maxConcurrency,
    };
  }

  consume(userId: string, now = Date.now()): boolean {
    const window = this.#live(userId, now) ?? { used: 0, resetAt: now + this.windowMs };
    if (window.used >= this.total) return false;
    window.used++;
    this.#users.set(userId, pack(window, this.#radix));
    return true;
  }

  /** Users with a running window. */
  get size(): number {
    return this.#users.size;
  }

  /** Forgets users whose window ended (they would start a fresh one anyway): memory follows recent users only. */
  prune(now = Date.now()): void {
    const radix = this.#radix;
    for (const [userId, entry] of this.#users) {
      if ((typeof entry === 'number' ? unpack(entry, radix) : entry).resetAt <= now) this.#users.delete(userId);
    }
  }
}

interface Window {
  used: number;
  resetAt: number;
}

/** One number when `resetAt * radix + used` is an exact integer (integral times, as Date.now() gives), else itself. */
function pack(window: Window, radix: number): number | Window {
  const packed = window.resetAt * radix + window.used;
  return Number.isSafeInteger(packed) && Number.isInteger(window.resetAt) ? packed : window;
}

function unpack(packed: number, radix: number): Window {
  const used = ((packed % radix) + radix) % radix;
  return { used, resetAt: (packed - used) / radix };
}
