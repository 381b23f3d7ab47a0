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
  readonly #users = new Map<string, { used: number; resetAt: number }>();

  constructor(total: number, windowMs: number, maxConcurrency: number) {
    this.total = total;
    this.windowMs = windowMs;
    this.maxConcurrency = maxConcurrency;
  }

  #entry(userId: string, now: number): { used: number; resetAt: number } {
    let entry = this.#users.get(userId);
    if (!entry || entry.resetAt <= now) {
      entry = { used: 0, resetAt: now + this.windowMs };
      this.#users.set(userId, entry);
    }
    return entry;
  }

  get(userId: string, now = Date.now()): SessionStartLimit {
    const entry = this.#users.get(userId);
    const live = entry && entry.resetAt > now ? entry : undefined;
    return {
      total: this.total,
      remaining: this.total - (live?.used ?? 0),
      reset_after: live ? live.resetAt - now : this.windowMs,
      max_concurrency: this.maxConcurrency,
    };
  }

  consume(userId: string, now = Date.now()): boolean {
    const entry = this.#entry(userId, now);
    if (entry.used >= this.total) return false;
    entry.used++;
    return true;
  }

  /** Users with a running window. */
  get size(): number {
    return this.#users.size;
  }

  /** Forgets users whose window ended (they would start a fresh one anyway): memory follows recent users only. */
  prune(now = Date.now()): void {
    for (const [userId, entry] of this.#users) if (entry.resetAt <= now) this.#users.delete(userId);
  }
}
