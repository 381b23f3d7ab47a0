/** Server side of a compressed transport: one context for the connection's life. */
export interface StreamDeflater {
  /** Compresses one payload and flushes, so the result is one complete WebSocket message. */
  compress(data: string | Uint8Array): Uint8Array;
  /** Frees the context; later calls to `compress` throw `CLOSED`. Idempotent. */
  close(): void;
}

/** Client side of a compressed transport: one context for the connection's life. */
export interface StreamInflater {
  /**
   * Feeds one binary WebSocket message. Returns the payload's bytes once a complete payload has arrived, or null
   * while still buffering (zlib-stream: until the 00 00 FF FF suffix). Throws `DECOMPRESSION_ERROR` on corrupt
   * input and `DECOMPRESSION_LIMIT` when a payload inflates beyond `maxOutput`; the inflater is closed after either,
   * since its context can no longer be trusted (the connection should be dropped and resumed).
   */
  push(frame: Uint8Array): Uint8Array | null;
  close(): void;
}

export interface InflateOptions {
  /** Most bytes one payload may inflate to (decompression-bomb guard). Default 32 MiB. */
  maxOutput?: number;
  /** Most compressed bytes buffered while waiting for the end of a payload. Default 8 MiB. */
  maxInput?: number;
}

export interface DeflateOptions {
  /** zlib level 0..9 (default 6); for zstd, the zstd level (default 3). */
  level?: number;
}

export const DEFAULT_MAX_OUTPUT = 32 * 1024 * 1024;
export const DEFAULT_MAX_INPUT = 8 * 1024 * 1024;

export function resolveLimits(options: InflateOptions): { maxOutput: number; maxInput: number } {
  const maxOutput = options.maxOutput ?? DEFAULT_MAX_OUTPUT;
  const maxInput = options.maxInput ?? DEFAULT_MAX_INPUT;
  for (const [name, value] of [
    ['maxOutput', maxOutput],
    ['maxInput', maxInput],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  }
  return { maxOutput, maxInput };
}
