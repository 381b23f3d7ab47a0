import { ProtocolError } from '../ProtocolError.js';

export type EtfErrorCode = 'DECODE_ERROR' | 'ENCODE_ERROR' | 'DEPTH_EXCEEDED' | 'PAYLOAD_TOO_LARGE';

/** Thrown by `encodeEtf`/`decodeEtf`; decoding malformed input never throws anything else. */
export class EtfError extends ProtocolError {
  override readonly name: string = 'EtfError';
  declare readonly code: EtfErrorCode;
  /** Byte offset in the input where decoding failed (decode errors only). */
  readonly offset: number | undefined;
  constructor(code: EtfErrorCode, message: string, options?: { cause?: unknown; offset?: number }) {
    super(code, options?.offset === undefined ? message : `${message} (at byte ${options.offset})`, options);
    this.offset = options?.offset;
  }
}

/** V8 and SpiderMonkey both throw a RangeError/InternalError mentioning recursion or the call stack. */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof Error && /call stack|too much recursion/i.test(error.message);
}
