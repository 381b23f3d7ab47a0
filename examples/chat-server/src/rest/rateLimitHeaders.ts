import { createHash } from 'node:crypto';
import type { RateLimitResult } from './RateLimiter.js';

/**
 * Discord's `X-RateLimit-Bucket`: one opaque hash per route template, the same whatever the top-level resource
 * (major parameter) is. Computed once per route at startup, so it costs no state per request.
 */
export function bucketHash(template: string): string {
  return createHash('sha1').update(template).digest('hex').slice(0, 16);
}

/** The per-route `X-RateLimit-*` headers of a response. */
export function rateLimitHeaders(rate: RateLimitResult, bucket: string): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(rate.limit),
    'X-RateLimit-Remaining': String(rate.remaining),
    'X-RateLimit-Reset': (rate.resetAt / 1000).toFixed(3),
    'X-RateLimit-Reset-After': rate.resetAfter.toFixed(3),
    'X-RateLimit-Bucket': bucket,
  };
}
