/** What went wrong: no native module here, or a bad argument. */
export type UdpBatchErrorCode = 'UNAVAILABLE' | 'BAD_ARGUMENT';

/** Thrown by this package; `code` says why, `cause` carries the underlying error when there is one. */
export class UdpBatchError extends Error {
  public readonly code: UdpBatchErrorCode;

  public constructor(code: UdpBatchErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UdpBatchError';
    this.code = code;
  }
}
