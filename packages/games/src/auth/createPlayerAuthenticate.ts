import type { AuthenticateContext, AuthenticatedUser, UserData } from '@concord/gateway-server';
import type { PlayerClaims, PlayerTokenRefusal, PlayerTokens } from '../tokens/PlayerTokens.js';

/** What {@link createPlayerAuthenticate} takes. */
export interface PlayerAuthenticateOptions {
  tokens: PlayerTokens;
  /**
   * The player's stored user (the game backend created it), or null: a valid token for a user that does not exist
   * (deleted since) is refused. Community servers pass `(id) => community.users.find(id)`.
   */
  findUser(userId: string): UserData | null | Promise<UserData | null>;
  /** Checked after the signature and times: true refuses the token (a revocation list keyed by `tokenId`, a ban). */
  isRevoked?(claims: PlayerClaims): boolean | Promise<boolean>;
  /** Told of every refusal, for metrics and logs (never with the token itself). */
  onRefused?(reason: PlayerTokenRefusal | 'revoked' | 'unknown_user', context: AuthenticateContext): void;
}

/**
 * The `authenticate(token, context)` hook of `@concord/gateway-server` and `@concord/rest-server` for player tokens:
 * the gateway's Identify carries the token as it is, REST's `Authorization: Bearer <token>` arrives without the
 * scheme. A `Bot` scheme is refused: a player token never names a bot.
 */
export function createPlayerAuthenticate(
  options: PlayerAuthenticateOptions,
): (token: string, context: AuthenticateContext) => Promise<AuthenticatedUser | null> {
  const { tokens, findUser, isRevoked, onRefused } = options;
  return async (token, context) => {
    if (context.scheme === 'Bot') {
      onRefused?.('malformed', context);
      return null;
    }
    const check = tokens.verify(token);
    if (!check.ok) {
      onRefused?.(check.reason, context);
      return null;
    }
    if (isRevoked && (await isRevoked(check.claims))) {
      onRefused?.('revoked', context);
      return null;
    }
    const user = await findUser(check.claims.userId);
    if (!user || user.id !== check.claims.userId) {
      onRefused?.('unknown_user', context);
      return null;
    }
    return { user };
  };
}
