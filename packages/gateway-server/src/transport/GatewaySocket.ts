import type { Duplex } from 'node:stream';
import { WS_HEADER_ROOM, writeFrameHeader } from '../wire/frames.js';
import { FrameReader, NO_STATUS } from './FrameReader.js';
import { isValidCloseCode } from './isValidCloseCode.js';

/** `readyState` values, as the WebSocket API numbers them. */
export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSING = 2;
export const CLOSED = 3;

/** The close code reported when the connection ended without a close frame from the peer (RFC 6455 §7.1.5). */
export const ABNORMAL_CLOSURE = 1006;

// `#flags`: readyState in the low two bits, then whether our close frame went out, then the peer's close code.
const READY_STATE = 3;
const CLOSE_SENT = 4;
const CODE_SHIFT = 3;

/** How long a closing socket waits for the peer to end its side before it is cut (our close, or its close's echo). */
const DEFAULT_GRACE_MS = 2000;

/** The socket under a gateway socket points back at it: one property, where a closure per listener would be a scope each. */
const owner: unique symbol = Symbol('concord.gatewaySocket');
type OwnedDuplex = Duplex & { [owner]?: GatewaySocket };

/** Closing sockets' cut-off timers (few at a time): no field for them in every held socket. */
const graceTimers = new Map<GatewaySocket, NodeJS.Timeout>();

/**
 * One gateway WebSocket over the upgraded socket (server side of RFC 6455): exactly what the gateway uses of one, and
 * the frame reader's state (FrameReader.ts) in the same object. `ws`'s WebSocket with its Receiver (a Writable stream),
 * Sender and listeners was ~1,480 bytes of heap per held connection; this is one small object.
 *
 * The socket's events reach it through listeners shared by every socket (`attach`), which find it through one symbol
 * property of the socket. Its subclass per server (gatewaySocketClass.ts) sends messages, the close and errors on to
 * the server without a closure per socket.
 */
export abstract class GatewaySocket<C = unknown> extends FrameReader {
  /** The upgraded socket: frames the gateway built whole are written straight to it (Connection.ts). */
  readonly socket: Duplex;
  /** The server's connection over this socket (`C`: its type; generic so this file needs nothing of the server's). */
  connection: C | null = null;
  #flags = OPEN;

  constructor(socket: Duplex) {
    super();
    this.socket = socket;
  }

  /** The largest message a client may send (checked before it is read; see composeGateway.ts). */
  protected abstract get maxPayload(): number;
  /** The socket closed: `code` is the peer's close code, else 1006. */
  protected abstract onClosed(code: number): void;
  /** A socket error or a protocol error of the peer's (already answered with a close). */
  protected abstract onError(error: Error): void;

  /** Starts reading: the shared listeners, and the bytes read past the upgrade request. */
  attach(head: Buffer): void {
    const socket = this.socket as OwnedDuplex;
    socket[owner] = this;
    socket.on('data', socketOnData);
    socket.on('end', socketOnEnd);
    socket.on('close', socketOnClose);
    socket.on('error', socketOnError);
    if (head.length > 0) this.feed(head, this.maxPayload);
    // Node's http server may have paused the socket when it handed it to 'upgrade'.
    if (socket.isPaused()) socket.resume();
  }

  get readyState(): number {
    return this.#flags & READY_STATE;
  }

  /** Bytes written and not yet handed to the operating system. */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  /** The socket when a whole frame may be written straight to it: open (frames after a close frame are not sent). */
  writableSocket(): Duplex | null {
    return (this.#flags & READY_STATE) === OPEN && !this.socket.destroyed ? this.socket : null;
  }

  /** Sends one message as a single unmasked frame; nothing once closing. The bytes are not copied when large. */
  send(data: Uint8Array, binary: boolean): void {
    if ((this.#flags & READY_STATE) !== OPEN) return;
    writeFrame(this.socket, binary ? 0x82 : 0x81, data);
  }

  /**
   * Sends a close frame (`code`: 1000 or 3000–4999 and the valid 10xx; TypeError otherwise, as `ws` threw) and waits
   * up to `graceMs` for the peer's answer before cutting the socket. Once closing, does nothing.
   */
  close(code: number, reason = '', graceMs = DEFAULT_GRACE_MS): void {
    if (!isValidCloseCode(code)) throw new TypeError(`invalid close code ${code}`);
    if ((this.#flags & READY_STATE) !== OPEN) return;
    this.#flags = (this.#flags & ~READY_STATE) | CLOSING | CLOSE_SENT;
    writeFrame(this.socket, 0x88, closePayload(code, reason));
    armGrace(this, graceMs);
  }

  /** Cuts the socket at once (no close frame). */
  terminate(): void {
    if ((this.#flags & READY_STATE) === CLOSED) return;
    if ((this.#flags & READY_STATE) === OPEN) this.#flags = (this.#flags & ~READY_STATE) | CLOSING;
    this.socket.destroy();
  }

  protected override onPing(data: Buffer): void {
    if ((this.#flags & READY_STATE) === OPEN) writeFrame(this.socket, 0x8a, data);
  }

  /** The peer closed: its code echoed (RFC 6455 §5.5.1) unless we closed first, then the server ends TCP first (§7.1.1). */
  protected override onCloseFrame(code: number): void {
    const flags = this.#flags;
    this.#flags = (flags & ~READY_STATE) | CLOSING | CLOSE_SENT | (code << CODE_SHIFT);
    if ((flags & READY_STATE) === OPEN) {
      writeFrame(this.socket, 0x88, code === NO_STATUS ? EMPTY : closePayload(code, ''));
    }
    endSocket(this);
  }

  protected override onProtocolError(code: number, message: string): void {
    if ((this.#flags & READY_STATE) === OPEN) {
      this.#flags = (this.#flags & ~READY_STATE) | CLOSING | CLOSE_SENT;
      writeFrame(this.socket, 0x88, closePayload(code, ''));
    }
    endSocket(this);
    this.onError(new Error(`WebSocket protocol error (${code}): ${message}`));
  }

  /** The socket's 'close': the one close notification, with the peer's code (1006 without a close frame). */
  static closed(s: GatewaySocket): void {
    const flags = s.#flags;
    if ((flags & READY_STATE) === CLOSED) return;
    s.#flags = (flags & ~READY_STATE) | CLOSED;
    const timer = graceTimers.get(s);
    if (timer !== undefined) {
      clearTimeout(timer);
      graceTimers.delete(s);
    }
    s.onClosed(flags >> CODE_SHIFT || ABNORMAL_CLOSURE);
  }

  /** The peer ended its side without a close handshake: ours ends too. */
  static ended(s: GatewaySocket): void {
    if ((s.#flags & READY_STATE) === OPEN) s.#flags = (s.#flags & ~READY_STATE) | CLOSING;
    s.socket.end();
  }

  static failed(s: GatewaySocket, error: Error): void {
    s.onError(error);
    // A net.Socket destroys itself on error; another Duplex may not.
    if (!s.socket.destroyed) s.socket.destroy();
  }

  static read(s: GatewaySocket, chunk: Buffer): void {
    s.feed(chunk, s.maxPayload);
  }
}

const EMPTY = Buffer.alloc(0);

function socketOnData(this: OwnedDuplex, chunk: Buffer): void {
  const s = this[owner];
  if (s !== undefined) GatewaySocket.read(s, chunk);
}
function socketOnEnd(this: OwnedDuplex): void {
  const s = this[owner];
  if (s !== undefined) GatewaySocket.ended(s);
}
function socketOnClose(this: OwnedDuplex): void {
  const s = this[owner];
  if (s !== undefined) GatewaySocket.closed(s);
}
function socketOnError(this: OwnedDuplex, error: Error): void {
  const s = this[owner];
  if (s !== undefined) GatewaySocket.failed(s, error);
}

/** Ends our side once the close handshake is done or broken, and cuts the socket if the peer does not end its side. */
function endSocket(s: GatewaySocket): void {
  s.socket.end();
  armGrace(s, DEFAULT_GRACE_MS);
}

function armGrace(s: GatewaySocket, graceMs: number): void {
  if (graceTimers.has(s)) return;
  const timer = setTimeout(() => {
    graceTimers.delete(s);
    s.socket.destroy();
  }, graceMs);
  timer.unref();
  graceTimers.set(s, timer);
}

/**
 * A close frame's payload: the code, then the reason cut to fit the 125 bytes of a control frame — at a character
 * boundary, since the reason must be valid UTF-8 (RFC 6455 §5.5.1; a client that checks it fails the connection 1007).
 */
function closePayload(code: number, reason: string): Buffer {
  const text = Buffer.from(reason);
  let cut = Math.min(text.length, 123);
  // A byte 10xxxxxx continues the character before it: the cut would split that character, so cut before it.
  while (cut < text.length && cut > 0 && (text[cut]! & 0xc0) === 0x80) cut--;
  const out = Buffer.allocUnsafe(2 + cut);
  out.writeUInt16BE(code, 0);
  text.copy(out, 2, 0, cut);
  return out;
}

/** Frames at most this long are written as one buffer (header copied in front); longer ones as two writes, corked. */
const COPY_BELOW = 16 * 1024;

/** One final unmasked frame (RFC 6455 §5.2: servers never mask). */
function writeFrame(socket: Duplex, first: number, data: Uint8Array): void {
  const length = data.byteLength;
  if (length < COPY_BELOW) {
    const out = Buffer.allocUnsafe(WS_HEADER_ROOM + length);
    out.set(data, WS_HEADER_ROOM);
    socket.write(out.subarray(writeFrameHeader(out, WS_HEADER_ROOM, length, first)));
    return;
  }
  const header = Buffer.allocUnsafe(WS_HEADER_ROOM);
  socket.cork();
  socket.write(header.subarray(writeFrameHeader(header, WS_HEADER_ROOM, length, first)));
  socket.write(data);
  socket.uncork();
}
