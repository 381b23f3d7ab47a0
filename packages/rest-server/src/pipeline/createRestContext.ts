import { SnowflakeGenerator } from '@concord/snowflake';
import { defaultRestOptions } from '../options/defaultRestOptions.js';
import type { RestPluginOptions } from '../options/RestPluginOptions.js';
import { InMemoryRateLimitStore } from '../rateLimit/InMemoryRateLimitStore.js';
import type { RestContext } from './RestContext.js';

/** The options resolved against {@link defaultRestOptions}; `ownsLimiter` says whether the plugin must close it. */
export function createRestContext(options: RestPluginOptions): { ctx: RestContext; ownsLimiter: boolean } {
  if (!options.community) throw new TypeError('concordRest: the `community` option is required');
  if (typeof options.authenticate !== 'function') throw new TypeError('concordRest: `authenticate` must be a function');
  const limiter = options.rateLimitStore ?? new InMemoryRateLimitStore();
  const ctx: RestContext = {
    community: options.community,
    authenticate: options.authenticate,
    gateway: options.gateway,
    gatewayUrl: options.gatewayUrl,
    blobs: options.blobs,
    cdnBase: options.cdnBase?.replace(/\/+$/, ''),
    cdnPath: defaultRestOptions.cdnPath,
    rateLimits: { ...defaultRestOptions.rateLimits, ...options.rateLimits },
    limiter,
    maxJsonBytes: options.maxJsonBytes ?? defaultRestOptions.maxJsonBytes,
    maxFileBytes: options.maxFileBytes ?? defaultRestOptions.maxFileBytes,
    maxFiles: options.maxFiles ?? defaultRestOptions.maxFiles,
    maxAuditLogReasonLength: defaultRestOptions.maxAuditLogReasonLength,
    ids: options.ids ?? new SnowflakeGenerator({ workerId: 0 }),
    logInternal:
      options.onInternalError ??
      ((error, request) => console.error('[concord rest] %s %s failed:', request.method, request.url, error)),
  };
  return { ctx, ownsLimiter: options.rateLimitStore === undefined };
}
