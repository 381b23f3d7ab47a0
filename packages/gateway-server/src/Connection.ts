import type { WebSocket } from 'ws';
import type { PreparedDispatch } from './PreparedDispatch.js';
import type { Session } from './Session.js';
import type { CompressionLabel, EncodingLabel, GatewayMetrics } from './types.js';
import { encodeControl } from './wire/frames.js';
import { deflatePayload, type Encoding } from './wire/protocol.js';
import { compressIndependent, ZLIB_HEADER } from './wire/sharedZlib.js';

/** Per-connection compressor: one context for the connection's life (zlib-stream). */
export interface FrameCompressor {
  compress(data: Uint8Array): Uint8Array;
  close(): void;
}

/** What a connection needs from its server. */
export interface ConnectionHost {
  readonly maxBufferedBytes: number;
  readonly payloadCompressionThreshold: number;
  /** zlib level for shared-mode zlib-stream. */
  readonly zlibLevel: number;
  readonly metrics: GatewayMetrics | undefined;
  onBackpressure(connection: Connection): void;
}

/**
 * One WebSocket: encoding, transport compression, liveness and rate-limit state. Holds no protocol logic; the server
 * drives it. After `close()` nothing more is written.
 */
export class Connection {
  readonly ws: WebSocket;
  readonly encoding: Encoding;
  readonly compression: CompressionLabel;
  readonly host: ConnectionHost;
  /** Host header of the upgrade request (for the default resume_gateway_url). */
  readonly origin: string;
  #compressor: FrameCompressor | null;
  /** zlib-stream in shared mode (see sharedZlib.ts): no per-connection context. */
  readonly #sharedZlib: boolean;
  #zlibHeaderSent = false;
  /** `compress: true` in Identify (JSON without transport compression only). */
  payloadCompression = false;
  session: Session | null = null;
  /** An Identify or Resume is being processed. */
  authenticating = false;
  readonly openedAt: number;
  lastSeen: number;
  heartbeatRequested = false;
  commandCount = 0;
  windowStart: number;
  closed = false;
  #inBurst = false;
  /** Bytes a burst (READY + GUILD_CREATEs, a resume replay) may keep buffered on top of the bound while draining. */
  #allowance = 0;
  /** The close code we sent, if we closed. */
  closeCode: number | null = null;

  constructor(init: {
    ws: WebSocket;
    encoding: Encoding;
    compression: CompressionLabel;
    compressor: FrameCompressor | null;
    sharedZlib?: boolean;
    host: ConnectionHost;
    origin: string;
    now: number;
  }) {
    this.ws = init.ws;
    this.encoding = init.encoding;
    this.compression = init.compression;
    this.#compressor = init.compressor;
    this.#sharedZlib = init.sharedZlib === true;
    this.host = init.host;
    this.origin = init.origin;
    this.openedAt = init.now;
    this.lastSeen = init.now;
    this.windowStart = init.now;
  }

  get encodingLabel(): EncodingLabel {
    return this.encoding.name;
  }

  sendControl(op: number, d: unknown): void {
    if (this.closed) return;
    const frame = encodeControl(this.encoding, op, d);
    if (this.#sharedZlib) this.#emit(this.#withZlibHeader(compressIndependent(frame, this.host.zlibLevel)), true);
    else this.#write(frame, op === 10 || op === 11 || op === 1);
  }

  sendDispatch(dispatch: PreparedDispatch, full: boolean, seq: number): void {
    if (this.closed) return;
    if (this.#sharedZlib) {
      this.#emit(this.#withZlibHeader(dispatch.zlibFrame(this.encoding, full, seq, this.host.zlibLevel)), true);
    } else this.#write(dispatch.frame(this.encoding, full, seq), false);
  }

  #withZlibHeader(bytes: Buffer): Buffer {
    if (this.#zlibHeaderSent) return bytes;
    this.#zlibHeaderSent = true;
    return Buffer.concat([ZLIB_HEADER, bytes]);
  }

  #write(frame: Buffer, small: boolean): void {
    if (this.#compressor) this.#emit(this.#compressor.compress(frame), true);
    else if (this.payloadCompression && !small && frame.length >= this.host.payloadCompressionThreshold) {
      this.#emit(deflatePayload(frame), true);
    } else this.#emit(frame, this.encoding.binary);
  }

  #emit(out: Uint8Array, binary: boolean): void {
    this.ws.send(out, { binary });
    this.host.metrics?.bytesSent(out.byteLength, this.encoding.name, this.compression);
    if (this.#inBurst) return;
    const buffered = this.ws.bufferedAmount;
    if (buffered < this.#allowance) this.#allowance = buffered;
    if (buffered > this.host.maxBufferedBytes + this.#allowance) this.host.onBackpressure(this);
  }

  /**
   * Writes a burst the client asked for (READY and its GUILD_CREATEs, a resume replay) without tripping the bound;
   * what it leaves buffered is tolerated while it drains, but nothing more on top of it.
   */
  burst(write: () => void): void {
    this.#inBurst = true;
    try {
      write();
    } finally {
      this.#inBurst = false;
      this.#allowance = this.ws.bufferedAmount;
    }
  }

  /** Sends a close frame; the socket is cut if the peer does not answer within `graceMs`. */
  close(code: number, reason = '', graceMs = 2000): void {
    if (this.closed) return;
    this.closed = true;
    this.closeCode = code;
    this.#compressor?.close();
    this.#compressor = null;
    try {
      this.ws.close(code, reason.slice(0, 120));
    } catch {
      this.ws.terminate();
      return;
    }
    const timer = setTimeout(() => this.ws.terminate(), graceMs);
    timer.unref();
    this.ws.once('close', () => clearTimeout(timer));
  }

  /** The socket is gone (close event): release the compressor. */
  dispose(): void {
    this.closed = true;
    this.#compressor?.close();
    this.#compressor = null;
  }
}
