import zlib from 'node:zlib';
import type { ProtocolError } from '../ProtocolError.js';
import { corruptError, limitError } from './errors.js';
import { createPortableZlibStreamDeflater, createPortableZlibStreamInflater } from './portableZlib.js';
import { createSuffixInflater } from './suffixInflater.js';
import { engineDeflater, syncZlibSupported, toBuffer, wrapSyncEngine } from './syncZlibEngine.js';
import {
  type DeflateOptions,
  type InflateOptions,
  resolveLimits,
  type StreamDeflater,
  type StreamInflater,
} from './types.js';

/** Maps node:zlib's errors to ours: its output limit becomes DECOMPRESSION_LIMIT, anything else is corrupt input. */
export function nodeZlibError(error: unknown, maxOutput: number): ProtocolError {
  if (error instanceof RangeError && (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
    return limitError(maxOutput);
  }
  return corruptError(error);
}

/**
 * zlib-stream deflater on node:zlib (native, several times the pure-JS speed): one context per connection, each payload
 * flushed with Z_SYNC_FLUSH. Falls back to the portable one when the synchronous path is not available.
 */
export function createNodeZlibStreamDeflater(options: DeflateOptions = {}): StreamDeflater {
  if (!syncZlibSupported()) return createPortableZlibStreamDeflater(options);
  const engine = wrapSyncEngine(zlib.createDeflate({ level: options.level ?? 6 }), zlib.constants.Z_SYNC_FLUSH)!;
  return engineDeflater(engine, 'zlib-stream deflater');
}

/** zlib-stream inflater on node:zlib, same contract as the portable one. */
export function createNodeZlibStreamInflater(options: InflateOptions = {}): StreamInflater {
  const { maxOutput, maxInput } = resolveLimits(options);
  if (!syncZlibSupported()) return createPortableZlibStreamInflater(options);
  const engine = wrapSyncEngine(zlib.createInflate({ maxOutputLength: maxOutput }), zlib.constants.Z_SYNC_FLUSH)!;
  return createSuffixInflater(
    {
      inflate: (input) => engine.process(toBuffer(input)),
      toError: (error) => nodeZlibError(error, maxOutput),
      close: () => engine.close(),
    },
    maxInput,
  );
}

/** `compress: true` payload compression on node:zlib: one complete zlib stream per payload. */
export function nodeDeflatePayload(data: string | Uint8Array, options: DeflateOptions = {}): Uint8Array {
  return zlib.deflateSync(toBuffer(data), { level: options.level ?? 6 });
}

/** Inflates one `compress: true` payload on node:zlib, refusing output beyond `maxOutput`. */
export function nodeInflatePayload(bytes: Uint8Array, options: Pick<InflateOptions, 'maxOutput'> = {}): Uint8Array {
  const { maxOutput } = resolveLimits(options);
  try {
    return zlib.inflateSync(toBuffer(bytes), { maxOutputLength: maxOutput });
  } catch (error) {
    throw nodeZlibError(error, maxOutput);
  }
}
