import type { RateLimitRule } from './RateLimitRule.js';

/** The per-route rules a route names (`RouteDefinition.rule`), counted per route template + major parameter + user. */
export interface RouteRateLimits {
  /** Sending a message (Discord's published per-channel send limit). */
  createMessage: RateLimitRule;
  /** Editing or deleting a message, reacting, pinning. */
  editMessage: RateLimitRule;
  /** Moderation and configuration writes (guild, channels, roles, members, bans, invites, emoji). */
  write: RateLimitRule;
  /** Reads. */
  read: RateLimitRule;
  /** Creating, editing, deleting and overwriting application commands and their permissions. */
  commands: RateLimitRule;
  /** Invoking an interaction (`POST /interactions`) and answering one (its callback). */
  interaction: RateLimitRule;
  /** Executing a webhook and the interaction webhook's messages (per webhook, as Discord's). */
  webhook: RateLimitRule;
}

/** Every rule of the pipeline. */
export interface RateLimits extends RouteRateLimits {
  /** Every request of one user, whatever the route (Discord: 50 per second per bot or user; 429 `global: true`). */
  global: RateLimitRule;
  /** Every request without a valid token, per address (/64 for IPv6). */
  unauthenticated: RateLimitRule;
  /**
   * Requests answered 401, 403 or 429, per address; past it every request from the address is refused until the
   * window ends. Discord allows 10,000 per 10 minutes.
   */
  invalidRequests: RateLimitRule;
}
