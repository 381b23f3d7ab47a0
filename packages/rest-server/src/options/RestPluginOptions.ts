import type { AuthenticateContext, AuthenticatedUser, GatewayServer } from '@concord/gateway-server';
import type { Community } from '@concord/guilds';
import type { SnowflakeGenerator } from '@concord/snowflake';
import type { BlobStore } from '@concord/storage-adapters/blobs';
import type { RateLimitStore } from '../rateLimit/RateLimitStore.js';
import type { RateLimits } from '../rateLimit/RateLimits.js';

/**
 * `authenticate(token, { remoteAddress })`: the same function the gateway takes (packages/gateway-server/src/types.ts),
 * so one token check serves both. The token comes without its `Bot ` / `Bearer ` prefix, which `context.scheme` names;
 * null answers 401.
 */
export type RestAuthenticate = (
  token: string,
  context: AuthenticateContext,
) => AuthenticatedUser | null | Promise<AuthenticatedUser | null>;

/** What went wrong on a request answered 500 (for the integrator's logger; the client never sees it). */
export type RestErrorLogger = (error: unknown, request: { method: string; url: string }) => void;

/** Options of the `concordRest` plugin (defaults in defaultRestOptions.ts). */
export interface RestPluginOptions {
  /** The community model the routes serve. */
  community: Community;
  authenticate: RestAuthenticate;
  /** For `GET /gateway/bot`'s `session_start_limit`; without it, Discord's fresh-bot numbers are reported. */
  gateway?: Pick<GatewayServer, 'getSessionStartLimit'>;
  /** What `GET /gateway` answers; default `ws://<Host header>/` (`wss://` for a request over TLS). */
  gatewayUrl?: string;
  /** Where uploaded attachments go. Without it, multipart uploads are refused (50035 CONTENT_TYPE_INVALID). */
  blobs?: BlobStore;
  /**
   * Base URL of the attachment CDN (`<cdnBase>/attachments/<channel>/<attachment>/<filename>`); default
   * `http://<Host header>/cdn`, which `concordCdn` serves when registered with `prefix: '/cdn'`.
   */
  cdnBase?: string;
  /** Overrides of the rules in `defaultRestOptions.rateLimits`, rule by rule. */
  rateLimits?: Partial<RateLimits>;
  /** Where windows are counted; default an `InMemoryRateLimitStore` (closed with the Fastify instance). */
  rateLimitStore?: RateLimitStore;
  /** Largest JSON body (and `payload_json` field), in bytes. */
  maxJsonBytes?: number;
  /** Largest uploaded file, in bytes (Discord's default upload limit is 25 MiB). */
  maxFileBytes?: number;
  /** Most files in one message (Discord: 10). */
  maxFiles?: number;
  /** Attachment ids; default a generator with worker id 0. */
  ids?: SnowflakeGenerator;
  /** Told of every error answered 500; default `console.error`. */
  onInternalError?: RestErrorLogger;
}
