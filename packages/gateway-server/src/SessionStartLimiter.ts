import { fromEpoch, sinceEpoch } from './transport/processClock.js';
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
   * Per user, the window as one number (see `pack`): a user's first start of a window as a small integer, further
   * ones as `resetAt * radix + used` while that stays an exact integer, else an object. Every connected user has an
   * entry for a day, and a `{ used, resetAt }` object with its boxed double was ~40 bytes more per user than the
   * packed number, which is itself a boxed double (16 bytes) that the small integer is not.
   */
  readonly #users = new Map<string, number | Window>();
  /**
   * The user last looked up and found without a window (only `consume` adds one): an Identify asks `get`, then
   * `consume` for the same user, and the second lookup in a table of every recent user was ~0.3 µs of it.
   */
  #absent: string | undefined;
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
    if (userId === this.#absent) return undefined;
    const entry = this.#users.get(userId);
    if (entry === undefined) {
      this.#absent = userId;
      return undefined;
    }
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
    if (userId === this.#absent) this.#absent = undefined;
    return true;
  }

  /** Users with a running window. */
  get size(): number {
    return this.#users.size;
  }

  /**
   * Forgets users whose window ended (they would start a fresh one anyway): memory follows recent users only.
   *
   * Runs on every liveness sweep over every connected user's entry, so it compares entries as they are packed (see
   * `pack`) against thresholds worked out once, and walks the map with `forEach`: unpacking each entry into a window
   * object, its `resetAt` and the `[key, value]` pair of a `for…of` were 121 bytes of garbage per user and prune, in
   * optimized code too (heap sampling of a server holding 10,000 idle sessions: ~490 KB/s, a third of all it allocated
   * between heartbeats; now none).
   */
  prune(now = Date.now()): void {
    // A single start (`~offset`) has ended when its offset is at most now's; a packed window `resetAt * radix + used`
    // (`used` < radix, `resetAt` integral) when it is below `(⌊now⌋ + 1) * radix`.
    const offsetNow = sinceEpoch(now);
    const packedBelow = (Math.floor(now) + 1) * this.#radix;
    const users = this.#users;
    users.forEach((entry, userId) => {
      const ended =
        typeof entry !== 'number' ? entry.resetAt <= now : entry < 0 ? ~entry <= offsetNow : entry < packedBelow;
      if (ended) users.delete(userId);
    });
  }
}

interface Window {
  used: number;
  resetAt: number;
}

/**
 * One number when the window fits one, else the window itself. One start (most users' only one of the day) with
 * `resetAt` an integral time after the process epoch within int32 of it: the bitwise complement of its offset from
 * the epoch (transport/processClock.ts), a negative small integer. Otherwise `resetAt * radix + used` when that is an
 * exact integer and `resetAt` an integral time not before 1970 (so it is never negative).
 */
function pack(window: Window, radix: number): number | Window {
  const { resetAt, used } = window;
  if (!Number.isInteger(resetAt) || resetAt < 0) return window;
  if (used === 1) {
    const offset = sinceEpoch(resetAt);
    if (offset >= 0 && offset === (offset | 0)) return ~offset;
  }
  const packed = resetAt * radix + used;
  return Number.isSafeInteger(packed) ? packed : window;
}

function unpack(packed: number, radix: number): Window {
  if (packed < 0) return { used: 1, resetAt: fromEpoch(~packed) };
  const used = packed % radix;
  return { used, resetAt: (packed - used) / radix };
}
