import { ProtocolError, type ProtocolErrorCode } from '../ProtocolError.js';

/** A codec rejected its input (or could not encode a value); `cause` holds the third-party error, if any. */
export class CodecError extends ProtocolError {
  override readonly name: string = 'CodecError';
}

export function codecError(code: ProtocolErrorCode, message: string, cause?: unknown): ProtocolError {
  if (cause instanceof ProtocolError) return cause;
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new CodecError(code, `${message}${detail}`, cause === undefined ? undefined : { cause });
}
