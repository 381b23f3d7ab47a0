export type HostErrorCode = 'INVALID_OPTION' | 'NOT_A_WORKER' | 'BAD_FRAME' | 'CLOSED' | 'WORKER_START_FAILED';

/** What the host worker pool throws: its options, a peer link that sent something unreadable, a worker that never came up. */
export class HostError extends Error {
  override readonly name = 'HostError';
  readonly code: HostErrorCode;
  constructor(code: HostErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
