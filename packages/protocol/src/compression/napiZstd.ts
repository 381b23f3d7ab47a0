import { createRequire } from 'node:module';
import { CompressionError, closedError, corruptError, inputLimitError, limitError } from './errors.js';
import { toBuffer } from './syncZlibEngine.js';
import {
  type DeflateOptions,
  type InflateOptions,
  resolveLimits,
  type StreamDeflater,
  type StreamInflater,
} from './types.js';

/**
 * The part of zstd-napi's low-level binding (`zstd-napi/binding`: ZSTD_CCtx / ZSTD_DCtx, ZSTD_compressStream2 and
 * ZSTD_decompressStream) used here. zstd-napi is an optional dependency, built from source by node-gyp (its bundled
 * libzstd); it serves zstd-stream where node:zlib has no zstd (Node < 22.15 / 23.8).
 */
interface ZstdBinding {
  CCtx: new () => {
    setParameter(param: number, value: number): void;
    /** [bytes left to flush, bytes written to dst, bytes read from src] */
    compressStream2(dst: Uint8Array, src: Uint8Array, endOp: number): [number, number, number];
  };
  DCtx: new () => {
    setParameter(param: number, value: number): void;
    decompressStream(dst: Uint8Array, src: Uint8Array): [number, number, number];
  };
  CParameter: { compressionLevel: number };
  DParameter: { windowLogMax: number };
  EndDirective: { flush: number };
}

/** Same cap as nodeZstd.ts: a peer's frame header may not make us reserve more than an 8 MiB window (2^23). */
const ZSTD_MAX_WINDOW_LOG = 23;
/** zstd's default level, as node:zlib's. */
const DEFAULT_LEVEL = 3;
/** ZSTD_CStreamOutSize / ZSTD_DStreamOutSize: one block. Shared by every context: calls are synchronous. */
const SCRATCH_SIZE = 128 * 1024 + 512;

let binding: ZstdBinding | null | undefined;
let scratch: Buffer | undefined;

/** zstd-napi's binding, or null when it is not installed or did not build. Loaded once, on first use. */
export function napiZstd(): ZstdBinding | null {
  if (binding !== undefined) return binding;
  try {
    const loaded = createRequire(import.meta.url)('zstd-napi/binding') as Partial<ZstdBinding>;
    binding =
      typeof loaded.CCtx === 'function' && typeof loaded.DCtx === 'function' && loaded.EndDirective !== undefined
        ? (loaded as ZstdBinding)
        : null;
  } catch {
    binding = null;
  }
  return binding;
}

function scratchBuffer(): Buffer {
  scratch ??= Buffer.allocUnsafe(SCRATCH_SIZE);
  return scratch;
}

function concat(chunks: Buffer[], total: number): Uint8Array {
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

/** zstd-stream deflater on zstd-napi: one ZSTD_CCtx per connection, each payload ended with ZSTD_e_flush. */
export function createNapiZstdStreamDeflater(z: ZstdBinding, options: DeflateOptions = {}): StreamDeflater {
  let cctx: InstanceType<ZstdBinding['CCtx']> | null = new z.CCtx();
  cctx.setParameter(z.CParameter.compressionLevel, options.level ?? DEFAULT_LEVEL);
  return {
    compress(data) {
      if (!cctx) throw closedError('zstd-stream deflater');
      const out = scratchBuffer();
      let src = toBuffer(data);
      const chunks: Buffer[] = [];
      let total = 0;
      try {
        for (;;) {
          const [left, written, read] = cctx.compressStream2(out, src, z.EndDirective.flush);
          if (written > 0) {
            chunks.push(Buffer.from(out.subarray(0, written)));
            total += written;
          }
          src = src.subarray(read);
          if (left === 0 && src.length === 0) break;
        }
      } catch (error) {
        cctx = null;
        throw new CompressionError('ENCODE_ERROR', 'zstd compression failed', { cause: error });
      }
      return concat(chunks, total);
    },
    close() {
      cctx = null;
    },
  };
}

/**
 * zstd-stream inflater on zstd-napi: one ZSTD_DCtx for the connection's life (the frame spans every message); each
 * message is decompressed as far as it goes, which is the whole payload since the sender flushed after it.
 * Output beyond `maxOutput` stops decompression at once (DECOMPRESSION_LIMIT); corrupt input is DECOMPRESSION_ERROR.
 */
export function createNapiZstdStreamInflater(z: ZstdBinding, options: InflateOptions = {}): StreamInflater {
  const { maxOutput, maxInput } = resolveLimits(options);
  let dctx: InstanceType<ZstdBinding['DCtx']> | null = new z.DCtx();
  dctx.setParameter(z.DParameter.windowLogMax, ZSTD_MAX_WINDOW_LOG);
  return {
    push(frame) {
      if (!dctx) throw closedError('zstd-stream inflater');
      if (frame.byteLength > maxInput) {
        dctx = null;
        throw inputLimitError(maxInput);
      }
      const out = scratchBuffer();
      let src = toBuffer(frame);
      const chunks: Buffer[] = [];
      let total = 0;
      try {
        for (;;) {
          const [, written, read] = dctx.decompressStream(out, src);
          if (written > 0) {
            total += written;
            if (total > maxOutput) throw limitError(maxOutput);
            chunks.push(Buffer.from(out.subarray(0, written)));
          }
          src = src.subarray(read);
          // Done once the input is used up and the output buffer was not filled (nothing left inside the context).
          if (src.length === 0 && written < out.length) break;
          if (read === 0 && written === 0) throw new Error('no progress');
        }
      } catch (error) {
        dctx = null;
        throw corruptError(error);
      }
      return concat(chunks, total);
    },
    close() {
      dctx = null;
    },
  };
}
