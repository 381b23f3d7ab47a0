import type { RateLimitResult, RateLimitRule } from './RateLimitRule.js';
import type { RateLimitStore } from './RateLimitStore.js';

export interface InMemoryRateLimitStoreOptions {
  /**
   * Most windows tracked at once. Past it the oldest window is dropped, so memory stays bounded whatever the number of
   * keys; a full table means a flood, not normal use.
   */
  maxWindows?: number;
  /** How often expired windows are dropped (ms). */
  sweepIntervalMs?: number;
  now?: () => number;
}

export const defaultInMemoryRateLimitStoreOptions = {
  // ~150 bytes a window: ~7 MB at most.
  maxWindows: 50_000,
  sweepIntervalMs: 30_000,
} as const satisfies InMemoryRateLimitStoreOptions;

interface Window {
  resetAt: number;
  remaining: number;
}

/**
 * Fixed windows per key in this process, reported the way Discord does (a limit, what remains, when it resets). Fixed
 * windows are what Discord's `X-RateLimit-*` headers describe, so clients such as @discordjs/rest pace themselves from
 * them exactly.
 */
export class InMemoryRateLimitStore implements RateLimitStore {
  // Insertion order = window start order (a reset window is re-inserted), so the first entry is the oldest window.
  readonly #windows = new Map<string, Window>();
  readonly #sweep: NodeJS.Timeout;
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: InMemoryRateLimitStoreOptions = {}) {
    this.#max = options.maxWindows ?? defaultInMemoryRateLimitStoreOptions.maxWindows;
    this.#now = options.now ?? Date.now;
    this.#sweep = setInterval(
      () => this.sweep(),
      options.sweepIntervalMs ?? defaultInMemoryRateLimitStoreOptions.sweepIntervalMs,
    );
    this.#sweep.unref();
  }

  /** Windows currently tracked. */
  get size(): number {
    return this.#windows.size;
  }

  take(key: string, rule: RateLimitRule): RateLimitResult {
    const t = this.#now();
    let w = this.#windows.get(key);
    if (!w || w.resetAt <= t) {
      if (w) this.#windows.delete(key);
      else if (this.#windows.size >= this.#max) this.#evictOldest();
      w = { resetAt: t + rule.windowMs, remaining: rule.limit };
      this.#windows.set(key, w);
    }
    const allowed = w.remaining > 0;
    if (allowed) w.remaining--;
    return result(allowed, rule, w, t);
  }

  peek(key: string, rule: RateLimitRule): RateLimitResult {
    const t = this.#now();
    const w = this.#windows.get(key);
    if (!w || w.resetAt <= t) return result(true, rule, { resetAt: t + rule.windowMs, remaining: rule.limit }, t);
    return result(w.remaining > 0, rule, w, t);
  }

  /** Drops expired windows (runs on a timer; public for tests). */
  sweep(): void {
    const t = this.#now();
    for (const [key, w] of this.#windows) if (w.resetAt <= t) this.#windows.delete(key);
  }

  close(): void {
    clearInterval(this.#sweep);
  }

  #evictOldest(): void {
    const oldest = this.#windows.keys().next();
    if (!oldest.done) this.#windows.delete(oldest.value);
  }
}

function result(allowed: boolean, rule: RateLimitRule, w: Window, t: number): RateLimitResult {
  return {
    allowed,
    limit: rule.limit,
    remaining: w.remaining,
    resetAt: w.resetAt,
    resetAfter: Math.max(0, w.resetAt - t) / 1000,
  };
}
