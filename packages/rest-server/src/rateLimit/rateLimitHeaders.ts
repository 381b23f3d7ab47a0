import type { RateLimitResult } from './RateLimitRule.js';

/** The per-route `X-RateLimit-*` headers of a response, as Discord sends them. */
export function rateLimitHeaders(rate: RateLimitResult, bucket: string): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(rate.limit),
    'X-RateLimit-Remaining': String(rate.remaining),
    'X-RateLimit-Reset': (rate.resetAt / 1000).toFixed(3),
    'X-RateLimit-Reset-After': rate.resetAfter.toFixed(3),
    'X-RateLimit-Bucket': bucket,
  };
}
