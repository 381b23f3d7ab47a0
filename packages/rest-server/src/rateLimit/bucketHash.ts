import { createHash } from 'node:crypto';

/**
 * Discord's `X-RateLimit-Bucket`: one opaque hash per route template, the same whatever the top-level resource (major
 * parameter) is. Computed once per route at startup, so it costs no state per request.
 */
export function bucketHash(template: string): string {
  return createHash('sha1').update(template).digest('hex').slice(0, 16);
}
