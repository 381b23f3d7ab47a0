export type MemberRequestErrorCode =
  | 'INVALID_PAYLOAD'
  | 'INVALID_GUILD_ID'
  | 'TOO_MANY_GUILDS'
  | 'INVALID_QUERY'
  | 'INVALID_LIMIT'
  | 'INVALID_USER_IDS'
  | 'MISSING_QUERY_OR_USER_IDS'
  | 'MISSING_INTENT';

/** Why an op 8 Request Guild Members was refused. Shape errors map to close 4002; `MISSING_INTENT` is answered with silence. */
export class MemberRequestError extends Error {
  readonly code: MemberRequestErrorCode;

  constructor(code: MemberRequestErrorCode, message: string) {
    super(message);
    this.name = 'MemberRequestError';
    this.code = code;
  }
}
