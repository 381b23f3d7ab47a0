/** Why a GameClient call failed. */
export type GameClientErrorCode =
  /** The server answered a request with an error (`status`, and the game API's or Discord's `body`). */
  | 'REQUEST_FAILED'
  /** A party call before {@link GameClient.joinParty} succeeded, or after the party ended. */
  | 'NOT_IN_PARTY'
  /** A call that needs the gateway before {@link GameClient.connect} resolved, or after {@link GameClient.close}. */
  | 'NOT_CONNECTED'
  /** The voice server did not answer op 4 in time, or the server has none (a null endpoint). */
  | 'VOICE_UNAVAILABLE';

/** A GameClient call failed: `code` says why; `status` and `body` are the server's answer for REQUEST_FAILED. */
export class GameClientError extends Error {
  override readonly name = 'GameClientError';
  constructor(
    readonly code: GameClientErrorCode,
    message: string,
    readonly status?: number,
    readonly body?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
