/** Stable codes for everything the protocol package can reject; `code` is what callers switch on. */
export type ProtocolErrorCode =
  | 'DECODE_ERROR'
  | 'ENCODE_ERROR'
  | 'PAYLOAD_TOO_LARGE'
  | 'DEPTH_EXCEEDED'
  | 'DECOMPRESSION_ERROR'
  | 'DECOMPRESSION_LIMIT'
  | 'UNSUPPORTED'
  | 'UNSUPPORTED_VERSION'
  | 'UNSUPPORTED_ENCODING'
  | 'UNSUPPORTED_COMPRESSION'
  | 'INVALID_INTENTS'
  | 'CLOSED';

/** Base class of the package's errors. */
export class ProtocolError extends Error {
  override readonly name: string = 'ProtocolError';
  readonly code: ProtocolErrorCode;
  constructor(code: ProtocolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
