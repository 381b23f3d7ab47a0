import type { Encoding } from '@concord/protocol';
import type { GatewayClientError } from '../GatewayClientError.js';
import type { WebSocketLike } from '../types.js';
import type { FrameDecoder } from './FrameDecoder.js';
import type { InboundPayload } from './inboundOpHandlers.js';

const OPEN = 1;

/** What a socket reports to its connection; nothing is reported once it is detached. */
export interface ShardSocketEvents {
  payload(payload: InboundPayload): void;
  /** A frame could not be decoded: the stream context cannot be trusted any more. */
  decodeError(error: GatewayClientError): void;
  /** The server (or the network) closed the socket. */
  socketClosed(code: number, reason: string): void;
  /** No Hello within the timeout. */
  helloTimeout(): void;
  debug(message: string): void;
}

export interface ShardSocketOptions {
  encoding: Encoding;
  /** A fresh decoder: its inflater context belongs to this socket alone. */
  decoder: FrameDecoder;
  /** Whether this socket was opened to resume (Resume after Hello) or to identify. */
  resume: boolean;
  helloTimeout: number;
}

/**
 * One WebSocket of a connection, from open until the connection detaches it: frame decoding, the Hello timeout,
 * writes and closing. Every reconnect gets a new one, so no state of an old socket (a half-inflated frame, a late
 * event) reaches the next.
 */
export class ShardSocket {
  readonly resume: boolean;
  readonly #ws: WebSocketLike;
  readonly #encoding: Encoding;
  readonly #decoder: FrameDecoder;
  readonly #events: ShardSocketEvents;
  #attached = true;
  #helloTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(ws: WebSocketLike, options: ShardSocketOptions, events: ShardSocketEvents) {
    this.#ws = ws;
    this.#encoding = options.encoding;
    this.#decoder = options.decoder;
    this.resume = options.resume;
    this.#events = events;
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (event) => {
      if (this.#attached) this.#onFrame(event.data);
    };
    ws.onclose = (event) => {
      if (this.#attached) events.socketClosed(event.code, event.reason);
    };
    ws.onerror = (event) => {
      if (!this.#attached) return;
      const message = (event as { message?: string; error?: Error }).message ?? 'websocket error';
      events.debug(`socket error: ${message}`);
    };
    this.#helloTimer = setTimeout(() => events.helloTimeout(), options.helloTimeout);
  }

  /** Hello arrived: the socket is alive. */
  helloReceived(): void {
    clearTimeout(this.#helloTimer);
    this.#helloTimer = undefined;
  }

  /** Encodes and sends a payload; dropped silently when the socket is not open (the queue holds commands meanwhile). */
  write(payload: { op: number; d: unknown }): void {
    const ws = this.#ws;
    if (ws.readyState !== OPEN) return;
    ws.send(this.#encoding.encode(payload));
  }

  /** Stops reporting and frees the decoder; the socket itself stays open until `close`. */
  detach(): void {
    this.#attached = false;
    clearTimeout(this.#helloTimer);
    this.#helloTimer = undefined;
    // A partial stream frame buffered in the inflater belongs to this socket's deflate context: discard it.
    this.#decoder.close();
    const ws = this.#ws;
    ws.onmessage = null;
    ws.onclose = null;
    ws.onerror = () => {};
  }

  /** Closes with `code` (kept for the server to read), or drops the TCP connection when `terminate` (`ws` only). */
  close(code: number, reason: string, terminate: boolean): void {
    const ws = this.#ws;
    try {
      if (terminate && typeof ws.terminate === 'function') ws.terminate();
      else if (ws.readyState <= OPEN) ws.close(code, reason);
      else if (typeof ws.terminate === 'function') ws.terminate();
    } catch {
      // closing a socket that is already gone
    }
  }

  #onFrame(data: unknown): void {
    let payload: InboundPayload | null;
    try {
      payload = this.#decoder.decode(data);
    } catch (error) {
      this.#events.decodeError(error as GatewayClientError);
      return;
    }
    if (payload !== null) this.#events.payload(payload);
  }
}
