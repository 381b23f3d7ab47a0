export type PresenceErrorCode =
  | 'NOT_AN_OBJECT'
  | 'TOO_DEEP'
  | 'INVALID_STATUS'
  | 'INVALID_AFK'
  | 'INVALID_ACTIVITIES'
  | 'TOO_MANY_ACTIVITIES'
  | 'INVALID_ACTIVITY';

/** Why a client-supplied presence (op 3, or Identify's `presence`) was refused; the server closes with 4002. */
export class PresenceError extends Error {
  override readonly name = 'PresenceError';
  readonly code: PresenceErrorCode;
  constructor(code: PresenceErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
