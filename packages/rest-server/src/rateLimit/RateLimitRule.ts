/** A fixed window: `limit` requests per `windowMs`. */
export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

/** What a rate-limit store answers for one key: what Discord's `X-RateLimit-*` headers report. */
export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  /** Requests left in the window after this one. */
  remaining: number;
  /** When the window resets (ms since the epoch). */
  resetAt: number;
  /** Seconds until the window resets (for `Retry-After` and the 429 body). */
  resetAfter: number;
}
