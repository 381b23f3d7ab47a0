import type { GatewayServer } from '@concord/gateway-server';
import type { Community } from '@concord/guilds';
import type { SnowflakeGenerator } from '@concord/snowflake';
import type { BlobStore } from '@concord/storage-adapters/blobs';
import type { RestAuthenticate, RestErrorLogger } from '../options/RestPluginOptions.js';
import type { RateLimitStore } from '../rateLimit/RateLimitStore.js';
import type { RateLimits } from '../rateLimit/RateLimits.js';

/** What every route and the pipeline run with: the plugin's options resolved against their defaults, once. */
export interface RestContext {
  readonly community: Community;
  readonly authenticate: RestAuthenticate;
  readonly gateway: Pick<GatewayServer, 'getSessionStartLimit'> | undefined;
  readonly gatewayUrl: string | undefined;
  readonly blobs: BlobStore | undefined;
  readonly cdnBase: string | undefined;
  readonly cdnPath: string;
  readonly rateLimits: RateLimits;
  readonly limiter: RateLimitStore;
  readonly maxJsonBytes: number;
  readonly maxFileBytes: number;
  readonly maxFiles: number;
  readonly maxAuditLogReasonLength: number;
  readonly ids: SnowflakeGenerator;
  readonly logInternal: RestErrorLogger;
}
