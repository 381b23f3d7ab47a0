import { createHash } from 'node:crypto';

export interface RateLimitRule {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
}

export interface RateLimitResult {
  allowed: boolean;
  headers: Record<string, string>;
  /** Seconds until the bucket resets (for the 429 body). */
  retryAfter: number;
}

interface Window {
  resetAt: number;
  remaining: number;
}

/**
 * Per-route, per-user fixed windows, reported the way Discord does (`X-RateLimit-*` headers, a bucket hash per route).
 * Fixed windows are what Discord's headers describe (a reset time, a remaining count), so clients such as
 * @discordjs/rest pace themselves from them exactly.
 */
export class RateLimiter {
  readonly #windows = new Map<string, Window>();
  readonly #sweep: NodeJS.Timeout;

  constructor(readonly now: () => number = Date.now) {
    // Drop expired windows so idle keys cost nothing.
    this.#sweep = setInterval(() => {
      const t = this.now();
      for (const [key, w] of this.#windows) if (w.resetAt <= t) this.#windows.delete(key);
    }, 30_000);
    this.#sweep.unref();
  }

  take(route: string, key: string, rule: RateLimitRule): RateLimitResult {
    const t = this.now();
    const id = `${route}\u0000${key}`;
    let w = this.#windows.get(id);
    if (!w || w.resetAt <= t) {
      w = { resetAt: t + rule.windowMs, remaining: rule.limit };
      this.#windows.set(id, w);
    }
    const allowed = w.remaining > 0;
    if (allowed) w.remaining--;
    const resetAfter = Math.max(0, w.resetAt - t) / 1000;
    const headers = {
      'X-RateLimit-Limit': String(rule.limit),
      'X-RateLimit-Remaining': String(w.remaining),
      'X-RateLimit-Reset': (w.resetAt / 1000).toFixed(3),
      'X-RateLimit-Reset-After': resetAfter.toFixed(3),
      'X-RateLimit-Bucket': bucketHash(route),
    };
    return { allowed, headers, retryAfter: resetAfter };
  }

  close(): void {
    clearInterval(this.#sweep);
  }
}

const hashes = new Map<string, string>();
function bucketHash(route: string): string {
  let h = hashes.get(route);
  if (!h) {
    h = createHash('sha1').update(route).digest('hex').slice(0, 16);
    hashes.set(route, h);
  }
  return h;
}
