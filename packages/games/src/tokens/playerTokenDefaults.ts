/** What {@link PlayerTokens} uses when an option is left out (the one place these numbers live). */
export const playerTokenDefaults = {
  /** Lifetime of an issued token: long enough to connect and reconnect through a match's start, short if leaked. */
  ttlMs: 15 * 60_000,
  /** The longest lifetime a token may claim (exp − iat), whoever signed it: a token minted for a week is refused. */
  maxLifetimeMs: 24 * 60 * 60_000,
  /** Clock difference tolerated between the game backend that signs and this server (exp, nbf, iat). */
  leewayMs: 30_000,
  /**
   * Longest token read, in characters: a token with a snowflake subject and the usual claims is ~250. Checked before
   * anything is decoded, so a hostile token costs at most this much work.
   */
  maxTokenLength: 2048,
} as const satisfies {
  ttlMs: number;
  maxLifetimeMs: number;
  leewayMs: number;
  maxTokenLength: number;
};
