// What the REST routes are given (RestContext) and the limits they run under, with their defaults defined once.
import type { GatewayServer, UserData } from '@concord/gateway-server';
import type { SnowflakeGenerator } from '@concord/snowflake';
import type { MessageStore } from '@concord/storage-adapters';
import type { AuthenticateContext } from '../Authenticate.js';
import type { Community } from '../Community.js';
import { NewUserRateLimitedError } from '../NewUserRateLimitedError.js';
import type { RateLimiter, RateLimitRule } from './RateLimiter.js';
import type { BodyLimits } from './readJsonBody.js';

/** What a moderation hook sees before a message is stored (create) or changed (edit). */
export interface MessageDraft {
  content: string;
  author: UserData;
  channelId: string;
  guildId: string;
  /** Set on edits. */
  messageId?: string;
}

/** `{reject}` refuses the message (400, code 200000 as Discord's AutoMod); `{content}` rewrites it; nothing keeps it. */
export type ModerationResult = { reject: string } | { content: string } | undefined;
export type ModerationHook = (draft: MessageDraft) => ModerationResult | Promise<ModerationResult>;

export interface RestContext {
  community: Community;
  gateway: GatewayServer;
  store: MessageStore;
  ids: SnowflakeGenerator;
  limiter: RateLimiter;
  /**
   * Token (without `Bot `) → user, or null (401). `bot` tells whether the header had the `Bot ` prefix. May throw
   * {@link NewUserRateLimitedError} (429).
   */
  authenticate(token: string, bot: boolean, context: AuthenticateContext): Promise<UserData | null>;
  moderate?: ModerationHook;
  rateLimits: RateLimits;
  body: BodyLimits;
}

/** Per-route rules (`Route.rule`), counted per route template + major parameter + user. */
export interface RouteRateLimits {
  createMessage: RateLimitRule;
  editMessage: RateLimitRule;
  typing: RateLimitRule;
  read: RateLimitRule;
}

export interface RateLimits extends RouteRateLimits {
  /** Every request of one user, whatever the route (Discord: 50 per second per bot or user; 429 `global: true`). */
  global: RateLimitRule;
  /** Every request without a valid token, per address (/64 for IPv6). */
  unauthenticated: RateLimitRule;
  /**
   * Requests answered 401, 403 or 429, per address; past it every request from the address is refused until the
   * window ends. Discord allows 10,000 per 10 minutes; one small server allows fewer.
   */
  invalidRequests: RateLimitRule;
}

export const defaultRateLimits = {
  // Discord's published per-channel send limit.
  createMessage: { limit: 5, windowMs: 5000 },
  editMessage: { limit: 10, windowMs: 10_000 },
  typing: { limit: 5, windowMs: 5000 },
  read: { limit: 50, windowMs: 1000 },
  global: { limit: 50, windowMs: 1000 },
  unauthenticated: { limit: 50, windowMs: 1000 },
  invalidRequests: { limit: 1000, windowMs: 600_000 },
} as const satisfies RateLimits;
