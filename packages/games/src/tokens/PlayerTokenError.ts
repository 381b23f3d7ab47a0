/** Why {@link PlayerTokens} refused its configuration or a token it was asked to issue. */
export type PlayerTokenErrorCode = 'WEAK_KEY' | 'DUPLICATE_KEY_ID' | 'NO_KEYS' | 'INVALID_KEY_ID' | 'INVALID_CLAIMS';

/**
 * A mistake on the issuing side (a key too short, a lifetime beyond the maximum, a user id that is not a snowflake):
 * thrown, since it is the game backend's bug. A token that fails verification is not an error but an answer
 * (`PlayerTokenCheck` with a `reason`): it comes from the network.
 */
export class PlayerTokenError extends Error {
  override readonly name = 'PlayerTokenError';
  readonly code: PlayerTokenErrorCode;

  constructor(code: PlayerTokenErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
