import type { EncodingLabel } from './types.js';

/**
 * A dispatch that one encoding cannot carry (too deep for ETF/MessagePack, a cycle, a function…). Kept by the
 * `PreparedDispatch` for that encoding so later recipients fail fast without re-encoding; `reported` lets the
 * server log it once rather than once per recipient.
 */
export class DispatchEncodeError extends Error {
  override readonly name = 'DispatchEncodeError';
  readonly code = 'DISPATCH_ENCODE_FAILED';
  readonly event: string;
  readonly encoding: EncodingLabel;
  /** Set by whoever logged it first. */
  reported = false;
  constructor(event: string, encoding: EncodingLabel, cause: unknown) {
    super(`cannot encode ${event} as ${encoding}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.event = event;
    this.encoding = encoding;
  }
}
