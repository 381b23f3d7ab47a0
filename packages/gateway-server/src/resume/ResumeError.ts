export type ResumeErrorCode = 'INVALID_STREAM_ID' | 'INVALID_RESUME_ENTRY' | 'INVALID_SESSION_RECORD';

/** A value read back from the resume store (or the bus) that is not what this package wrote. */
export class ResumeError extends Error {
  override readonly name = 'ResumeError';
  readonly code: ResumeErrorCode;
  constructor(code: ResumeErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
