import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import {
  HEAD_INCOMPLETE,
  HEAD_REFUSED,
  type RequestHead,
  type RequestHeadLimits,
  readRequestHead,
} from './readRequestHead.js';

/** Node's own bounds, which the connections handed on meet anyway: 16 KB of head (`maxHeaderSize`). */
const LIMITS: RequestHeadLimits = { maxBytes: 16 * 1024, maxFields: 64 };
/** Without a `headersTimeout` or `timeout` on the server: Node's default `headersTimeout`. */
const DEFAULT_HEAD_TIMEOUT_MS = 60_000;
/** How often waiting connections are looked at (a late head is cut within this much of its deadline). */
const SWEEP_MS = 1000;
/** What Node's HTTP server answers a head that did not arrive in time (`_http_server.js`, `requestTimeoutResponse`). */
const TIMEOUT_RESPONSE = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';

/**
 * Takes a connection whose request head was read: true when it took it (upgraded or answered), false to leave it to
 * the HTTP server. `rest` is what the client sent after the head.
 */
export type HeadTaker = (head: RequestHead, socket: Socket, rest: Buffer) => boolean;

/**
 * A connection whose head is not complete after its first read: the bytes so far, `buffer`'s first `length` (all of
 * them already searched for the head's end). The buffer grows by doubling, so a head that arrives a byte at a time
 * costs O(n) copying in all, not a copy of everything so far per read.
 */
interface Partial {
  buffer: Buffer;
  length: number;
}

type ConnectionListener = (this: HttpServer | HttpsServer, socket: Socket) => void;

/**
 * Reads each new connection's request head before Node's HTTP server does (the gateway's `acceptConnections`): a
 * connection `take` keeps never builds Node's HTTP parser, `IncomingMessage`, the server's per-connection listeners
 * and timers or its 'upgrade' event — per gateway connection those cost more than the gateway's whole handshake.
 * Every other connection (REST, other upgrades, anything it does not read: see readRequestHead.ts) goes to the HTTP
 * server's own connection handling with the bytes read put back, as if it had come straight there (Node documents
 * emitting 'connection' to hand a server a socket; `socket.unshift` returns the bytes to it, and keep-alive,
 * pipelining and request bodies then run as usual).
 *
 * Installed in place of the server's connection listeners ('connection'; 'secureConnection' for HTTPS, so TLS is
 * terminated by Node as before and the head read is the decrypted one); `uninstall` puts them back. A connection
 * waits for its head at most the server's `headersTimeout` (or its idle `timeout`, when shorter): then it is answered
 * 408 and closed, as Node answers a late head. One that ends its side before its head is complete is closed.
 */
export class UpgradeDemux {
  readonly #server: HttpServer | HttpsServer;
  readonly #event: 'connection' | 'secureConnection';
  readonly #take: HeadTaker;
  /** The server's own listeners of `#event`, called for every connection handed on. */
  #handedTo: ConnectionListener[] = [];
  /** Connections waiting for their head, with the time they came, oldest first (Map keeps insertion order). */
  readonly #waiting = new Map<Socket, number>();
  /** Heads that took more than one read, by connection (rare: clients write their head at once). */
  readonly #partial = new Map<Socket, Partial>();
  #sweep: NodeJS.Timeout | undefined;
  /** The socket listeners, bound once for all connections (no closure per connection). */
  readonly #onData: (this: Socket, chunk: Buffer) => void;
  readonly #onEnd: (this: Socket) => void;
  readonly #onClose: (this: Socket) => void;
  readonly #onConnection: (socket: Socket) => void;

  constructor(server: HttpServer | HttpsServer, take: HeadTaker) {
    this.#server = server;
    this.#event = server instanceof TlsServer ? 'secureConnection' : 'connection';
    this.#take = take;
    const demux = this;
    this.#onData = function onData(this: Socket, chunk: Buffer) {
      demux.#read(this, chunk);
    };
    this.#onEnd = function onEnd(this: Socket) {
      // The client ended its side before its head was complete: nothing to answer.
      demux.#forget(this);
      this.destroy();
    };
    this.#onClose = function onClose(this: Socket) {
      demux.#forget(this);
    };
    this.#onConnection = (socket: Socket) => this.#accept(socket);
  }

  /** Takes the server's connections from now on. */
  install(): void {
    if (this.#sweep !== undefined) return;
    const server = this.#server;
    this.#handedTo = server.rawListeners(this.#event) as ConnectionListener[];
    server.removeAllListeners(this.#event);
    server.on(this.#event, this.#onConnection);
    this.#sweep = setInterval(() => this.#expire(Date.now()), SWEEP_MS);
    this.#sweep.unref();
  }

  /** Gives the server its connection listeners back; connections still waiting for their head are handed on. */
  uninstall(): void {
    if (this.#sweep === undefined) return;
    clearInterval(this.#sweep);
    this.#sweep = undefined;
    const server = this.#server;
    server.off(this.#event, this.#onConnection);
    for (let i = this.#handedTo.length - 1; i >= 0; i--) server.prependListener(this.#event, this.#handedTo[i]!);
    for (const socket of [...this.#waiting.keys()]) {
      const partial = this.#partial.get(socket);
      this.#handOn(socket, partial === undefined ? null : partial.buffer.subarray(0, partial.length));
    }
  }

  /** Connections waiting for their head (for tests and metrics). */
  get waiting(): number {
    return this.#waiting.size;
  }

  #accept(socket: Socket): void {
    this.#waiting.set(socket, Date.now());
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onClose);
    // A reset before the head: the socket closes itself; without a listener the error would be thrown.
    socket.on('error', ignoreError);
  }

  #read(socket: Socket, chunk: Buffer): void {
    // Nearly always none waits (a head comes in one read): no lookup then (each was ~0.3 µs of an upgrade, the
    // table's cache lines evicted between two connections).
    const partial = this.#partial.size === 0 ? undefined : this.#partial.get(socket);
    let bytes = chunk;
    let checked = 0;
    if (partial !== undefined) {
      checked = partial.length;
      bytes = append(partial, chunk);
    }
    const head = readRequestHead(bytes, LIMITS, checked);
    if (head === HEAD_INCOMPLETE) {
      if (partial === undefined) {
        const buffer = Buffer.allocUnsafe(Math.min(LIMITS.maxBytes, Math.max(1024, 2 * bytes.length)));
        bytes.copy(buffer);
        this.#partial.set(socket, { buffer, length: bytes.length });
      }
      return;
    }
    if (head !== HEAD_REFUSED) {
      this.#release(socket);
      // The taker sets up its own listeners on a socket it takes (the error listener included).
      if (this.#take(head, socket, bytes.subarray(head.length))) return;
    }
    this.#handOn(socket, bytes);
  }

  /** To the HTTP server, with what was read of the connection put back in front of what is still to come. */
  #handOn(socket: Socket, bytes: Buffer | null): void {
    this.#release(socket);
    if (bytes !== null && bytes.length > 0) socket.unshift(bytes);
    // Neither flowing nor paused, as Node leaves a socket it hands to 'upgrade': the server's own 'data' listener then
    // starts the flow, and the bytes put back are read before anything the socket reads later.
    (socket as { readableFlowing: boolean | null }).readableFlowing = null;
    const server = this.#server;
    for (const listener of this.#handedTo) listener.call(server, socket);
  }

  /** The connection is no longer waiting for its head: its listeners of the wait removed. */
  #release(socket: Socket): void {
    this.#forget(socket);
    socket.off('data', this.#onData);
    socket.off('end', this.#onEnd);
    socket.off('close', this.#onClose);
    socket.off('error', ignoreError);
  }

  #forget(socket: Socket): void {
    this.#waiting.delete(socket);
    if (this.#partial.size !== 0) this.#partial.delete(socket);
  }

  /** Answers 408 and closes the connections whose head is late. */
  #expire(now: number): void {
    const server = this.#server as HttpServer;
    const headersTimeout = server.headersTimeout > 0 ? server.headersTimeout : DEFAULT_HEAD_TIMEOUT_MS;
    const limit = server.timeout > 0 ? Math.min(server.timeout, headersTimeout) : headersTimeout;
    for (const [socket, since] of this.#waiting) {
      // Oldest first: the first one still in time ends the sweep.
      if (now - since < limit) break;
      this.#forget(socket);
      if (socket.writable) socket.write(TIMEOUT_RESPONSE);
      socket.destroy();
    }
  }
}

/**
 * The partial head with `chunk` after it: in place while it fits (the buffer doubles up to the head limit), else
 * one new Buffer of both (then at least the limit: the head is refused and handed on whole).
 */
function append(partial: Partial, chunk: Buffer): Buffer {
  const length = partial.length + chunk.length;
  if (length > partial.buffer.length && length <= LIMITS.maxBytes) {
    const grown = Buffer.allocUnsafe(Math.min(LIMITS.maxBytes, Math.max(length, 2 * partial.buffer.length)));
    partial.buffer.copy(grown, 0, 0, partial.length);
    partial.buffer = grown;
  }
  if (length > partial.buffer.length) return Buffer.concat([partial.buffer.subarray(0, partial.length), chunk]);
  chunk.copy(partial.buffer, partial.length);
  partial.length = length;
  return partial.buffer.subarray(0, length);
}

function ignoreError(): void {}
