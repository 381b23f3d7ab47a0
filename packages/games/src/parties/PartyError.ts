/** Why a party operation was refused. */
export type PartyErrorCode =
  | 'PARTY_ENDED'
  | 'PARTY_FULL'
  | 'PARTY_CLOSED'
  | 'JOIN_TOKEN_REQUIRED'
  | 'JOIN_TOKEN_INVALID'
  | 'NOT_A_PLAYER'
  | 'NOT_A_MEMBER'
  | 'INVALID_OPTIONS'
  /** The game's guild holds no more channels (Discord's 500), so no more parties at once (docs/GAMES.md, Limits). */
  | 'PARTY_LIMIT';

/** A refused party operation (a full party, a bad join token…); `cause` carries the community error when one was. */
export class PartyError extends Error {
  override readonly name = 'PartyError';
  readonly code: PartyErrorCode;

  constructor(code: PartyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
