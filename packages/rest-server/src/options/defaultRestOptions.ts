import type { RateLimits } from '../rateLimit/RateLimits.js';

/** The defaults of {@link RestPluginOptions}, defined once. */
export const defaultRestOptions = {
  rateLimits: {
    // Discord's published per-channel send limit.
    createMessage: { limit: 5, windowMs: 5000 },
    editMessage: { limit: 10, windowMs: 10_000 },
    write: { limit: 10, windowMs: 10_000 },
    read: { limit: 50, windowMs: 1000 },
    commands: { limit: 25, windowMs: 20_000 },
    interaction: { limit: 20, windowMs: 1000 },
    // Discord: 5 requests per 2 seconds per webhook.
    webhook: { limit: 5, windowMs: 2000 },
    global: { limit: 50, windowMs: 1000 },
    unauthenticated: { limit: 50, windowMs: 1000 },
    invalidRequests: { limit: 10_000, windowMs: 600_000 },
  },
  // A message with ten full embeds is ~60,000 characters; 256 KiB leaves room for UTF-8 and nothing more.
  maxJsonBytes: 256 * 1024,
  maxFileBytes: 25 * 1024 * 1024,
  maxFiles: 10,
  /** Discord keeps at most 512 characters of `X-Audit-Log-Reason`. */
  maxAuditLogReasonLength: 512,
  /** Path of the attachment CDN when `cdnBase` is not given. */
  cdnPath: '/cdn',
} as const satisfies {
  rateLimits: RateLimits;
  maxJsonBytes: number;
  maxFileBytes: number;
  maxFiles: number;
  maxAuditLogReasonLength: number;
  cdnPath: string;
};
