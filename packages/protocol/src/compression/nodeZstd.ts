import zlib from 'node:zlib';
import { CompressionError, closedError, inputLimitError } from './errors.js';
import { createNapiZstdStreamDeflater, createNapiZstdStreamInflater, napiZstd } from './napiZstd.js';
import { nodeZlibError } from './nodeZlib.js';
import { engineDeflater, toBuffer, wrapSyncEngine } from './syncZlibEngine.js';
import {
  type DeflateOptions,
  type InflateOptions,
  resolveLimits,
  type StreamDeflater,
  type StreamInflater,
} from './types.js';

/** node:zlib's zstd API (Node >= 22.15 / 23.8), typed here because @types/node 20 does not know it. */
interface ZstdZlib {
  createZstdCompress(options?: { params?: Record<number, number> }): unknown;
  createZstdDecompress(options?: { maxOutputLength?: number; params?: Record<number, number> }): unknown;
  constants: {
    ZSTD_e_flush: number;
    ZSTD_e_continue: number;
    ZSTD_c_compressionLevel: number;
    ZSTD_d_windowLogMax?: number;
  };
}

/**
 * Largest zstd window a peer's frame may ask us to allocate: 2^23 = 8 MiB, what RFC 8878 (3.1.1.1.2) recommends every
 * decoder support and RFC 9659 makes the limit for HTTP; zstd levels 1-19 stay within it. libzstd's own default is
 * 2^27: a 10-byte frame header would make each connection's decoder reserve 128 MiB.
 */
const ZSTD_MAX_WINDOW_LOG = 23;

function zstdZlib(): ZstdZlib | null {
  const z = zlib as unknown as Partial<ZstdZlib>;
  return typeof z.createZstdCompress === 'function' &&
    typeof z.createZstdDecompress === 'function' &&
    typeof z.constants?.ZSTD_e_flush === 'number'
    ? (z as ZstdZlib)
    : null;
}

/** true when this runtime's node:zlib has zstd (Node >= 22.15 / 23.8) and it can be driven synchronously. */
let available: boolean | undefined;

function nodeZlibZstd(): boolean {
  if (available !== undefined) return available;
  const z = zstdZlib();
  available = false;
  if (!z) return false;
  try {
    const engine = wrapSyncEngine(z.createZstdCompress(), z.constants.ZSTD_e_flush);
    engine?.close();
    available = engine !== null;
  } catch {
    available = false;
  }
  return available;
}

/**
 * Which zstd serves zstd-stream here: node:zlib's where it has one (Node >= 22.15 / 23.8), else the zstd-napi binding
 * (optional dependency, see napiZstd.ts), else none. zstd-napi was chosen over the WebAssembly and pure-JS zstd
 * packages on measured speed (bench/compression.ts: `protocol.zstd-stream.*` lines), and it has the streaming API
 * (ZSTD_compressStream2 with ZSTD_e_flush) that zstd-stream needs, which the WebAssembly builds on npm do not expose.
 */
export function zstdBackend(): 'node:zlib' | 'zstd-napi' | null {
  if (nodeZlibZstd()) return 'node:zlib';
  return napiZstd() ? 'zstd-napi' : null;
}

/** true when zstd-stream works on this runtime (node:zlib zstd or the zstd-napi binding). */
export function zstdAvailable(): boolean {
  return zstdBackend() !== null;
}

function unsupported(): never {
  throw new CompressionError(
    'UNSUPPORTED',
    `zstd-stream needs node:zlib zstd support (Node >= 22.15 / 23.8) or the zstd-napi package; this is Node ${process.versions.node} without zstd-napi`,
  );
}

/**
 * zstd-stream deflater: one zstd context per connection; each payload is flushed (ZSTD_e_flush) so it forms one
 * complete WebSocket message, without ending the zstd frame. Throws `UNSUPPORTED` without a zstd backend.
 */
export function createZstdStreamDeflater(options: DeflateOptions = {}): StreamDeflater {
  const z = zstdZlib();
  if (!z || !nodeZlibZstd()) {
    const napi = napiZstd();
    return napi ? createNapiZstdStreamDeflater(napi, options) : unsupported();
  }
  const params = options.level === undefined ? undefined : { [z.constants.ZSTD_c_compressionLevel]: options.level };
  const engine = wrapSyncEngine(z.createZstdCompress(params ? { params } : {}), z.constants.ZSTD_e_flush)!;
  return engineDeflater(engine, 'zstd-stream deflater');
}

/**
 * zstd-stream inflater: every message is one complete flushed payload, so `push` never buffers and always returns
 * the payload. Throws `UNSUPPORTED` without a zstd backend.
 */
export function createZstdStreamInflater(options: InflateOptions = {}): StreamInflater {
  const { maxOutput, maxInput } = resolveLimits(options);
  const z = zstdZlib();
  if (!z || !nodeZlibZstd()) {
    const napi = napiZstd();
    return napi ? createNapiZstdStreamInflater(napi, options) : unsupported();
  }
  const windowLogMax = z.constants.ZSTD_d_windowLogMax;
  const params = typeof windowLogMax === 'number' ? { [windowLogMax]: ZSTD_MAX_WINDOW_LOG } : undefined;
  let engine: ReturnType<typeof wrapSyncEngine> = wrapSyncEngine(
    z.createZstdDecompress(params ? { maxOutputLength: maxOutput, params } : { maxOutputLength: maxOutput }),
    z.constants.ZSTD_e_continue,
  )!;
  const shut = () => {
    engine?.close();
    engine = null;
  };
  return {
    push(frame) {
      if (!engine) throw closedError('zstd-stream inflater');
      if (frame.byteLength > maxInput) {
        shut();
        throw inputLimitError(maxInput);
      }
      try {
        return engine.process(toBuffer(frame));
      } catch (error) {
        shut();
        throw nodeZlibError(error, maxOutput);
      }
    },
    close: shut,
  };
}
