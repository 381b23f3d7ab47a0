import { ProtocolError } from '../ProtocolError.js';

/** Compressed input was refused: corrupt (`DECOMPRESSION_ERROR`), too big (`DECOMPRESSION_LIMIT`), ... */
export class CompressionError extends ProtocolError {
  override readonly name: string = 'CompressionError';
}

export function limitError(maxOutput: number): CompressionError {
  return new CompressionError('DECOMPRESSION_LIMIT', `payload inflates beyond ${maxOutput} bytes`);
}

export function inputLimitError(maxInput: number): CompressionError {
  return new CompressionError(
    'DECOMPRESSION_LIMIT',
    `more than ${maxInput} compressed bytes without a complete payload`,
  );
}

export function corruptError(cause: unknown): ProtocolError {
  if (cause instanceof ProtocolError) return cause;
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new CompressionError('DECOMPRESSION_ERROR', `corrupt compressed data${detail}`, { cause });
}

export function closedError(what: string): CompressionError {
  return new CompressionError('CLOSED', `${what} is closed`);
}
