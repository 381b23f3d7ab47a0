import type { RateLimitResult, RateLimitRule } from './RateLimitRule.js';

/**
 * Where the windows are counted. The default keeps them in this process (InMemoryRateLimitStore.ts); a cluster passes
 * one backed by shared storage (Redis, say) so a user's limits hold whichever node answers. Keys are built by the
 * pipeline (route bucket + major parameter + user, a user alone, an address) and are short ASCII strings.
 */
export interface RateLimitStore {
  /** Counts one request against `key`. */
  take(key: string, rule: RateLimitRule): RateLimitResult | Promise<RateLimitResult>;
  /** What `take` would answer, without counting a request. */
  peek(key: string, rule: RateLimitRule): RateLimitResult | Promise<RateLimitResult>;
  /** Stops timers; called when the Fastify instance closes. */
  close(): void | Promise<void>;
}
