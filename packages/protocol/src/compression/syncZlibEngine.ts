import zlib from 'node:zlib';
import { closedError } from './errors.js';
import type { StreamDeflater } from './types.js';

/**
 * The part of a node:zlib stream object we drive. `_processChunk(chunk, flushFlag)` without a callback is the
 * undocumented synchronous path that `zlib.deflateSync()` and friends use; it runs the native context in place,
 * which is what a per-connection zlib-stream needs (one persistent context, one synchronous call per payload).
 */
interface ZlibEngine {
  _outBuffer?: Uint8Array;
  _handle: { close(): void } | null;
  _processChunk(chunk: Uint8Array, flushFlag: number): Buffer;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  removeAllListeners(event: 'error'): unknown;
  close(): void;
}

/** A node:zlib context driven synchronously: `process(chunk)` returns all output up to the flush. */
export interface SyncZlibEngine {
  process(chunk: Uint8Array): Buffer;
  close(): void;
}

function noop(): void {}

function isEngine(value: unknown): value is ZlibEngine {
  const engine = value as Partial<ZlibEngine> | null;
  return (
    typeof engine?._processChunk === 'function' &&
    typeof engine._handle === 'object' &&
    engine._handle !== null &&
    typeof engine._handle.close === 'function' &&
    typeof engine.on === 'function' &&
    typeof engine.removeAllListeners === 'function'
  );
}

/**
 * Wraps a node:zlib stream object (Deflate, Inflate, ZstdCompress...) for synchronous use across many calls, or
 * returns null when the object does not have the shape this relies on (a future Node): callers then fall back to
 * the portable (pure JS) implementation.
 *
 * The sync path was written for one-shot use: it closes the native handle when it returns, adds an 'error'
 * listener per call, and returns views of an output buffer it reuses. So we make the handle's close() a no-op
 * until we really close and restore the handle after each call, drop the per-call listener, and copy shared
 * output. A permanent no-op 'error' listener keeps the asynchronous re-emit of an error from becoming an uncaught
 * exception; the error itself is thrown by the call.
 */
export function wrapSyncEngine(value: unknown, flushFlag: number): SyncZlibEngine | null {
  if (!isEngine(value)) return null;
  const engine = value;
  const handle = engine._handle!;
  const realClose = handle.close.bind(handle);
  handle.close = noop;
  engine.on('error', noop);
  let closed = false;
  return {
    process(chunk) {
      if (closed) throw new Error('zlib context is closed');
      try {
        const out = engine._processChunk(chunk, flushFlag);
        // A single output chunk is a view of the engine's reusable output buffer, which the next call overwrites.
        return out.buffer === engine._outBuffer?.buffer ? Buffer.from(out) : out;
      } finally {
        engine._handle = handle;
        engine.removeAllListeners('error');
        engine.on('error', noop);
      }
    },
    close() {
      if (closed) return;
      closed = true;
      realClose();
      engine._handle = null;
    },
  };
}

let probed: boolean | undefined;

/**
 * true when the synchronous path works on this Node: checked once by compressing two payloads through one context
 * and inflating them through another, comparing with the input.
 */
export function syncZlibSupported(): boolean {
  if (probed !== undefined) return probed;
  probed = false;
  try {
    const deflate = wrapSyncEngine(zlib.createDeflate(), zlib.constants.Z_SYNC_FLUSH);
    const inflate = wrapSyncEngine(zlib.createInflate(), zlib.constants.Z_SYNC_FLUSH);
    if (!deflate || !inflate) return false;
    const a = Buffer.from('{"op":11,"d":null}');
    const b = Buffer.from('{"op":11,"d":null,"s":null}');
    const ca = deflate.process(a);
    const cb = deflate.process(b);
    const ok =
      ca.subarray(-4).equals(Buffer.from([0, 0, 0xff, 0xff])) &&
      cb.byteLength < b.byteLength + 6 &&
      inflate.process(ca).equals(a) &&
      inflate.process(cb).equals(b);
    deflate.close();
    inflate.close();
    probed = ok;
  } catch {
    probed = false;
  }
  return probed;
}

export function toBuffer(data: string | Uint8Array): Buffer {
  return typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** A per-connection deflater over a synchronous engine: each `compress` is one flushed payload. */
export function engineDeflater(engine: SyncZlibEngine, what: string): StreamDeflater {
  let closed = false;
  return {
    compress(data) {
      if (closed) throw closedError(what);
      return engine.process(toBuffer(data));
    },
    close() {
      if (closed) return;
      closed = true;
      engine.close();
    },
  };
}
