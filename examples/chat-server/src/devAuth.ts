import { hash } from 'node:crypto';
import { type AuthenticateContext, type AuthenticatedUser, addressKey, type UserData } from '@concord/gateway-server';
import { RateLimitedError, type RateLimitRule, type RateLimitStore } from '@concord/rest-server';

/** New users one address may create: each is a GUILD_MEMBER_ADD to every session, so a flood would cost O(N²). */
export const defaultDevAuthNewUsers: RateLimitRule = { limit: 10, windowMs: 60_000 };

/**
 * A stable snowflake for a token (42 bits of SHA-256 in the timestamp's low 20 bits and the low 22 bits, after
 * 2024-01-01): the same user on every run and every backend, without a lookup table.
 */
export function userIdForToken(token: string): string {
  // One-shot `hash` (no Hash object per call: dev auth runs this on every Identify), its bytes as a Latin-1
  // ('binary') string: no Buffer made, and `hash` finds 'binary' at once where 'buffer' falls through its whole
  // encoding lookup (~1 µs against ~0.4 in a loop). Bytes 1–3 are the low 20 bits of the first 32-bit word, bytes 5–7
  // the low 22 bits of the second.
  const h = hash('sha256', token, 'binary');
  const time =
    1_704_067_200_000 -
    1_420_070_400_000 +
    (((h.charCodeAt(1) & 0x0f) << 16) | (h.charCodeAt(2) << 8) | h.charCodeAt(3));
  return snowflakeText(time, ((h.charCodeAt(5) & 0x3f) << 16) | (h.charCodeAt(6) << 8) | h.charCodeAt(7));
}

/**
 * `((BigInt(time) << 22n) | BigInt(low)).toString()` for `time` < 2^42 and `low` < 2^22, in doubles: two BigInts
 * and their string per Identify were most of what this file cost after the hash. The id is `top · 10^6 + rest`, with
 * every partial product below 2^53: `time = hi · 10^6 + lo`, so `time · 2^22 + low = hi · 2^22 · 10^6 + (lo · 2^22 +
 * low)`, and the second term's carry past 10^6 moves into `top`.
 */
export function snowflakeText(time: number, low: number): string {
  const lo = time % 1e6;
  const under = lo * 4_194_304 + low;
  const rest = under % 1e6;
  const top = ((time - lo) / 1e6) * 4_194_304 + (under - rest) / 1e6;
  if (top === 0) return String(rest);
  const digits = String(rest);
  return `${top}${'000000'.slice(digits.length)}${digits}`;
}

/** A name usable as it is: 1–32 printable ASCII characters (what bots and the bench send), no rewriting needed. */
const PLAIN_NAME = /^[\x20-\x7e]{1,32}$/;

/** The token as a name: ≤ 32 code points, no control characters or lone surrogates (storage refuses them). */
export function usernameForToken(token: string): string {
  if (PLAIN_NAME.test(token)) return token;
  return (
    Array.from(token.replace(/[\p{Cc}\p{Cs}]/gu, ''))
      .slice(0, 32)
      .join('') || 'user'
  );
}

/**
 * Dev auth: any token is accepted and names its user; a token sent as `Bot <token>` on REST (as bot libraries do
 * before they connect) or a name ending in `bot` makes a bot. A stored user is answered as stored (a bot first seen on
 * REST stays a bot in READY). A token never seen before creates a user (`create` stores it), at most `newUsers` per
 * window and address; past that it throws Discord's 429 (`RateLimitedError`).
 */
export function createDevAuth(options: {
  /** The stored user, or null; a user at hand may be answered without a promise (then so is the visit). */
  find(userId: string): UserData | null | Promise<UserData | null>;
  /** Stores a new user (and whatever a first visit brings); answers the user as stored. */
  create(user: UserData): Promise<UserData>;
  limiter: RateLimitStore;
  newUsers: RateLimitRule;
}) {
  // One lookup per visit, answered as the caller gets it: each Identify ran two lookups of the same user and five
  // async layers around them. A returning user the server holds is answered at once, without a promise (the gateway
  // then goes on with the Identify in the same turn).
  const visit = async (id: string, name: string, found: Promise<UserData | null>, context: AuthenticateContext) => {
    const stored = await found;
    if (stored !== null) return { user: stored };
    return newUser(id, name, context);
  };
  const newUser = async (id: string, name: string, context: AuthenticateContext): Promise<AuthenticatedUser> => {
    const key = `dev-auth-new-user:${addressKey(context.remoteAddress)}`;
    const window = await options.limiter.take(key, options.newUsers);
    if (!window.allowed) throw new RateLimitedError(window.resetAfter, false);
    const username = usernameForToken(name);
    const bot = context.scheme === 'Bot' || /bot$/i.test(username);
    return { user: await options.create({ id, username, global_name: username, bot }) };
  };
  return (
    token: string,
    context: AuthenticateContext,
  ): AuthenticatedUser | null | Promise<AuthenticatedUser | null> => {
    const name = token.replace(/^(Bot|Bearer)\s+/i, '').trim();
    if (!name) return null;
    const id = userIdForToken(name);
    const found = options.find(id);
    if (found instanceof Promise) return visit(id, name, found, context);
    return found !== null ? { user: found } : newUser(id, name, context);
  };
}
