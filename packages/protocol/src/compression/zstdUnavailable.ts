import { CompressionError } from './errors.js';
import type { DeflateOptions, InflateOptions, StreamDeflater, StreamInflater } from './types.js';

function unsupported(): never {
  throw new CompressionError(
    'UNSUPPORTED',
    'zstd-stream needs node:zlib zstd support (Node >= 22.15 / 23.8); this runtime has none',
  );
}

/**
 * Portable entry (browsers): there is no zstd here. We do not ship a pure-JS zstd: the streaming encoders
 * available are far from native speed, and a client can always ask for zlib-stream instead.
 */
export function zstdAvailable(): boolean {
  return false;
}

/** Which zstd serves zstd-stream: none in the portable build (the Node build has node:zlib or zstd-napi). */
export function zstdBackend(): 'node:zlib' | 'zstd-napi' | null {
  return null;
}

export function createZstdStreamDeflater(_options: DeflateOptions = {}): StreamDeflater {
  return unsupported();
}

export function createZstdStreamInflater(_options: InflateOptions = {}): StreamInflater {
  return unsupported();
}
