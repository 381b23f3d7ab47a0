import { addressKey } from '@concord/gateway-server';
import type { Authenticate } from './Authenticate.js';
import { normalizeToken, userIdForToken, usernameForToken } from './identity.js';
import { NewUserRateLimitedError } from './NewUserRateLimitedError.js';
import type { RateLimiter, RateLimitRule } from './rest/RateLimiter.js';

/**
 * New users dev auth creates per source address. Every new user is a GUILD_MEMBER_ADD to every session, so unlimited
 * creation lets one client make the server do O(N²) work; ten a minute is plenty for people trying it on a laptop.
 */
export const defaultDevAuthNewUsers = { limit: 10, windowMs: 60_000 } as const satisfies RateLimitRule;

export interface DevAuthOptions {
  /** Whether a user with this id exists already (known users are never limited). */
  isKnown(userId: string): boolean;
  limiter: RateLimiter;
  newUsers: RateLimitRule;
}

/**
 * Dev auth: any token is accepted and names its user (`Bot ` prefix optional). A token first seen with the `Bot `
 * prefix makes a bot user (discord.js always calls GET /gateway/bot with it before connecting). A token never seen
 * before creates a user, at most `newUsers` per window per address; past that it throws
 * {@link NewUserRateLimitedError}.
 */
export function createDevAuthenticate(options: DevAuthOptions): Authenticate {
  return (token, context) => {
    const name = normalizeToken(token);
    if (!name) return null;
    const id = userIdForToken(name);
    if (!options.isKnown(id)) {
      const window = options.limiter.take(`dev-auth-new-user:${addressKey(context.remoteAddress)}`, options.newUsers);
      if (!window.allowed) throw new NewUserRateLimitedError(window.resetAfter);
    }
    return { id, username: usernameForToken(name) };
  };
}
