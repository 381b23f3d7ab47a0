import { Deflate, Inflate, deflate as pakoDeflate, Z_FINISH, Z_SYNC_FLUSH } from 'pako';
import { concatBytes, toBytes } from './bytes.js';
import { CompressionError, closedError, corruptError, limitError } from './errors.js';
import { createSuffixInflater } from './suffixInflater.js';
import {
  type DeflateOptions,
  type InflateOptions,
  resolveLimits,
  type StreamDeflater,
  type StreamInflater,
} from './types.js';

// pako is zlib itself ported to JavaScript, so its Z_SYNC_FLUSH output and its error checks (adler32, stored
// block lengths...) are zlib's. fflate was tried first: its `flush(true)` misaligns the empty stored block for
// some inputs (fflate issue #267), and its streaming inflate was 3-5x slower than pako's on a dispatch stream.

type Level = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

/** Output chunk size: also the most a decompression bomb can produce past `maxOutput` before it is refused. */
const CHUNK = 16 * 1024;

function level(options: DeflateOptions): Level {
  const l = options.level ?? 6;
  if (!Number.isInteger(l) || l < 0 || l > 9) throw new RangeError('zlib level must be an integer 0..9');
  return l as Level;
}

/** Portable zlib-stream deflater (pure JS): one context, each payload flushed with Z_SYNC_FLUSH. */
export function createPortableZlibStreamDeflater(options: DeflateOptions = {}): StreamDeflater {
  const out: Uint8Array[] = [];
  let size = 0;
  let deflate: Deflate | null = new Deflate({ level: level(options), chunkSize: CHUNK });
  deflate.onData = (chunk) => {
    out.push(chunk);
    size += chunk.byteLength;
  };
  return {
    compress(data) {
      if (!deflate) throw closedError('zlib-stream deflater');
      out.length = 0;
      size = 0;
      if (!deflate.push(toBytes(data), Z_SYNC_FLUSH)) {
        deflate = null;
        throw new CompressionError('ENCODE_ERROR', 'zlib-stream deflate failed');
      }
      // pako hands out views of 16 KiB output buffers: copy so a small frame does not pin a big buffer.
      return out.length === 1 ? out[0]!.slice() : concatBytes(out, size);
    },
    close() {
      deflate = null;
    },
  };
}

/** A pako inflate context whose output is collected per push and refused beyond `maxOutput`. */
function boundedInflate(maxOutput: number) {
  const out: Uint8Array[] = [];
  let produced = 0;
  const inflate = new Inflate({ chunkSize: CHUNK });
  inflate.onData = (chunk) => {
    produced += chunk.byteLength;
    // Throwing out of onData stops pako mid-push: at most one chunk beyond the limit was ever allocated.
    if (produced > maxOutput) throw limitError(maxOutput);
    out.push(chunk);
  };
  return {
    run(input: Uint8Array, flush: typeof Z_SYNC_FLUSH | typeof Z_FINISH): Uint8Array {
      out.length = 0;
      produced = 0;
      if (!inflate.push(input, flush)) {
        throw corruptError(new Error(inflate.msg || `zlib error ${inflate.err}`));
      }
      return concatBytes(out, produced);
    },
  };
}

/** Portable zlib-stream inflater (pure JS); runs in browsers. */
export function createPortableZlibStreamInflater(options: InflateOptions = {}): StreamInflater {
  const { maxOutput, maxInput } = resolveLimits(options);
  const inflater = boundedInflate(maxOutput);
  return createSuffixInflater(
    { inflate: (input) => inflater.run(input, Z_SYNC_FLUSH), toError: (error) => corruptError(error) },
    maxInput,
  );
}

/** `compress: true` payload compression: one complete zlib stream per payload (portable). */
export function portableDeflatePayload(data: string | Uint8Array, options: DeflateOptions = {}): Uint8Array {
  return pakoDeflate(toBytes(data), { level: level(options) });
}

/**
 * Inflates one `compress: true` payload (a complete zlib stream, adler32 checked), refusing output beyond
 * `maxOutput`.
 */
export function portableInflatePayload(bytes: Uint8Array, options: Pick<InflateOptions, 'maxOutput'> = {}): Uint8Array {
  const { maxOutput } = resolveLimits(options);
  try {
    return boundedInflate(maxOutput).run(bytes, Z_FINISH);
  } catch (error) {
    throw corruptError(error);
  }
}
