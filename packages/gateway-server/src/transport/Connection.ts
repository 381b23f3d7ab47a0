import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { DispatchEncodeError } from '../DispatchEncodeError.js';
import type { PreparedDispatch } from '../PreparedDispatch.js';
import type { SessionSink } from '../session/SessionSink.js';
import type { CompressionLabel, EncodingLabel, GatewayMetrics } from '../types.js';
import { emptyControl } from '../wire/emptyControls.js';
import { encodeControl } from '../wire/frames.js';
import { deflatePayload, type Encoding, GATEWAY_VERSION, GatewayOpcodes } from '../wire/protocol.js';
import { compressIndependent, ZLIB_HEADER } from '../wire/sharedZlib.js';
import type { GatewaySocket } from './GatewaySocket.js';
import { fromEpoch, sinceEpoch } from './processClock.js';
import { sharedString } from './sharedStrings.js';
import { tcpWrite } from './tcpWrite.js';
import { corkUntilTickEnd, currentTick, endTickSoon } from './writeTick.js';

/** Connection.followNext's waiting followers: a rare thing, kept out of every connection's own fields. */
const followers = new WeakMap<Connection, Follower[]>();

interface Follower {
  readonly matches: (dispatch: PreparedDispatch) => boolean;
  readonly follow: () => void;
}

/**
 * Where dispatch frames are built when their socket has nothing queued: one slab, carved from `slabUsed` on. A frame
 * written at once and in full (the common case) is not kept by the socket, and its room is used again by the next
 * frame; one that stays queued keeps its room, and the next frames go after it (a new slab once this one is full).
 * A fresh Buffer per recipient was an ArrayBuffer slice per delivery (a 10,000-recipient message: ~7 MB of backing
 * stores), and V8 counts backing stores allocated since its last mark-compact against the old generation's limit:
 * once a mark-compact had left little room, every fan-out message started another (CPU per delivery ~3×).
 */
const SLAB_BYTES = 64 * 1024;
/** Less room than this left: a new slab (a frame that does not fit the room gets its own Buffer anyway). */
const SLAB_MIN_ROOM = 8 * 1024;
let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
let slabUsed = 0;

/** A new slab when the current one has less than {@link SLAB_MIN_ROOM} left. */
function slabWithRoom(): void {
  if (SLAB_BYTES - slabUsed < SLAB_MIN_ROOM) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    slabUsed = 0;
  }
}

/**
 * Whether `socket` may be handed a view of the slab: only a net.Socket (TCP, pipe, TLS) is known to copy or hold what
 * it is given until written — another Duplex handed to 'upgrade' (a proxy's, a test's) may keep the Buffer after a
 * synchronous callback — and only with nothing queued or corked (a queued frame must be its own Buffer).
 */
function writesAtOnce(socket: Duplex): boolean {
  return socket.writableLength === 0 && !socket.writableCorked && socket instanceof Socket;
}

/** Payload bytes of the WebSocket frame in `buf` from `at` to `end`: the frame minus its 2-, 4- or 10-byte header. */
function payloadBytes(buf: Uint8Array, at: number, end: number): number {
  const size = buf[at + 1]! & 127;
  return end - at - (size < 126 ? 2 : size === 126 ? 4 : 10);
}

/**
 * The socket whose burst (Connection.burst: READY and its GUILD_CREATEs, a resume replay) is being written into the
 * slab, frame after frame from `burstStart`, to leave in one socket write when the burst ends; null outside one. Corked,
 * the same frames were a Buffer each, queued by the stream and handed to `writev` at the tick's end.
 */
let burstSocket: Duplex | null = null;
let burstStart = 0;
/** Whether the burst's connection may send straight to its descriptor (ConnectionHost.directWrites). */
let burstDirect = false;

/** Writes what the burst put in the slab (if any) and ends it: the burst's later frames take the corked path. */
function flushBurst(): void {
  const socket = burstSocket;
  if (socket === null) return;
  burstSocket = null;
  if (slabUsed === burstStart) return;
  const fd = burstDirect && tcpWrite !== null ? tcpWrite.directFd(socket) : -1;
  if (fd !== -1) {
    // What the kernel does not take is queued as a copy: the room is free again either way.
    tcpWrite!.writeDirect(socket as Socket, fd, slab, burstStart, slabUsed);
    slabUsed = burstStart;
    return;
  }
  socket.write(slab.subarray(burstStart, slabUsed));
  // Written in full: the room is free again. Still queued: its bytes are the socket's until written.
  if (socket.writableLength === 0) slabUsed = burstStart;
}

/** Per-connection compressor: one context for the connection's life (zlib-stream). */
export interface FrameCompressor {
  compress(data: Uint8Array): Uint8Array;
  close(): void;
}

/** What a connection needs from its server (`S`: the server's session type, as in {@link Connection}). */
export interface ConnectionHost<S = unknown> {
  readonly maxBufferedBytes: number;
  readonly payloadCompressionThreshold: number;
  /** zlib level for shared-mode zlib-stream. */
  readonly zlibLevel: number;
  /**
   * Send dispatch frames straight to the socket's descriptor when nothing is queued (`@concord/tcp-write`, when it is
   * installed and built; default off here, the server passes its `directWrites` option).
   */
  readonly directWrites?: boolean;
  readonly metrics: GatewayMetrics | undefined;
  onBackpressure(connection: Connection<S>): void;
  /** A dispatch this connection's encoding cannot carry was skipped (the session's seq moves on past it). */
  onEncodeError?(connection: Connection<S>, error: DispatchEncodeError): void;
}

/**
 * What connections share: their server and what their connect URL asked for. One object per combination a server has
 * seen (a handful) instead of five fields in every connection.
 */
interface Profile<S> {
  readonly host: ConnectionHost<S>;
  readonly encoding: Encoding;
  readonly compression: CompressionLabel;
  readonly version: number;
  /** zlib-stream in shared mode (see sharedZlib.ts): no per-connection context. */
  readonly sharedZlib: boolean;
}

/** Per server (host), the profiles made so far. */
const profiles = new WeakMap<ConnectionHost<never>, Profile<never>[]>();

function profileOf<S>(
  host: ConnectionHost<S>,
  encoding: Encoding,
  compression: CompressionLabel,
  version: number,
  sharedZlib: boolean,
): Profile<S> {
  let known = profiles.get(host) as Profile<S>[] | undefined;
  if (known === undefined) {
    known = [];
    profiles.set(host, known as Profile<never>[]);
  }
  for (const p of known) {
    if (
      p.encoding === encoding &&
      p.compression === compression &&
      p.version === version &&
      p.sharedZlib === sharedZlib
    )
      return p;
  }
  const made: Profile<S> = Object.freeze({ host, encoding, compression, version, sharedZlib });
  known.push(made);
  return made;
}

// A connection's booleans, as bits of one small integer: each boolean field was a word of every held connection.
const CLOSED = 1;
const AUTHENTICATING = 2;
const HEARTBEAT_REQUESTED = 4;
const PAYLOAD_COMPRESSION = 8;
const IN_BURST = 16;
const ZLIB_HEADER_SENT = 32;
/** Followers wait on this connection (see {@link Connection.followNext}). */
const FOLLOWING = 64;

/**
 * One WebSocket: encoding, transport compression, liveness and rate-limit state. Holds no protocol logic; the server
 * drives it. After `close()` nothing more is written. `S` is the server's session type: the connection only keeps a
 * reference to it (the server's link back from socket to session), so it does not depend on what a session is.
 *
 * Kept small, since every connected session holds one (issue #19: RSS per session): what connections share lives in
 * one profile per server and connect-URL combination, the booleans are bits of one field, the timestamps offsets
 * from a process epoch (small integers in the field, not boxed doubles: processClock.ts), and the peer address and
 * Host header strings are shared between connections (sharedStrings.ts).
 */
export class Connection<S = unknown> implements SessionSink {
  /** The connection's WebSocket (GatewaySocket.ts): the frame reader and the upgraded socket frames are written to. */
  readonly ws: GatewaySocket;
  readonly #profile: Profile<S>;
  /** Host header of the upgrade request (for the default resume_gateway_url). */
  readonly origin: string;
  /** The peer's address (the socket's at the upgrade; '' if the socket had none). */
  readonly remoteAddress: string;
  #compressor: FrameCompressor | null;
  session: S | null = null;
  /** Bits: CLOSED, AUTHENTICATING, ... (above). */
  #flags = 0;
  // Offsets from the process epoch (processClock.ts); read and written as `Date.now()` times through the accessors.
  readonly #openedAt: number;
  #lastSeen: number;
  #windowStart: number;
  commandCount = 0;
  /** The write-coalescing tick of this connection's last dispatch frame (writeTick.ts). */
  #wroteInTick = 0;
  /** Bytes a burst (READY + GUILD_CREATEs, a resume replay) may keep buffered on top of the bound while draining. */
  #allowance = 0;
  /** The close code we sent, if we closed. */
  closeCode: number | null = null;

  constructor(init: {
    ws: GatewaySocket;
    encoding: Encoding;
    compression: CompressionLabel;
    version?: number;
    compressor: FrameCompressor | null;
    sharedZlib?: boolean;
    host: ConnectionHost<S>;
    origin: string;
    remoteAddress?: string;
    now: number;
  }) {
    this.ws = init.ws;
    this.#profile = profileOf(
      init.host,
      init.encoding,
      init.compression,
      init.version ?? GATEWAY_VERSION,
      init.sharedZlib === true,
    );
    this.#compressor = init.compressor;
    this.origin = sharedString(init.origin);
    this.remoteAddress = sharedString(init.remoteAddress ?? '');
    const now = sinceEpoch(init.now);
    this.#openedAt = now;
    this.#lastSeen = now;
    this.#windowStart = now;
  }

  get encoding(): Encoding {
    return this.#profile.encoding;
  }

  get compression(): CompressionLabel {
    return this.#profile.compression;
  }

  /** Gateway API version of the connect URL (`?v=`): 9 or 10. */
  get version(): number {
    return this.#profile.version;
  }

  get host(): ConnectionHost<S> {
    return this.#profile.host;
  }

  /** `compress: true` in Identify (JSON without transport compression only). */
  get payloadCompression(): boolean {
    return (this.#flags & PAYLOAD_COMPRESSION) !== 0;
  }
  set payloadCompression(on: boolean) {
    this.#flags = on ? this.#flags | PAYLOAD_COMPRESSION : this.#flags & ~PAYLOAD_COMPRESSION;
  }

  /** An Identify or Resume is being processed. */
  get authenticating(): boolean {
    return (this.#flags & AUTHENTICATING) !== 0;
  }
  set authenticating(on: boolean) {
    this.#flags = on ? this.#flags | AUTHENTICATING : this.#flags & ~AUTHENTICATING;
  }

  /** The server asked for a heartbeat (op 1) since the client last sent anything. */
  get heartbeatRequested(): boolean {
    return (this.#flags & HEARTBEAT_REQUESTED) !== 0;
  }
  set heartbeatRequested(on: boolean) {
    this.#flags = on ? this.#flags | HEARTBEAT_REQUESTED : this.#flags & ~HEARTBEAT_REQUESTED;
  }

  /** `close()` was called or the socket is gone: nothing more is written. */
  get closed(): boolean {
    return (this.#flags & CLOSED) !== 0;
  }

  /** When the connection opened (`Date.now()` time). */
  get openedAt(): number {
    return fromEpoch(this.#openedAt);
  }

  /** When the client last sent anything (`Date.now()` time). */
  get lastSeen(): number {
    return fromEpoch(this.#lastSeen);
  }
  set lastSeen(ms: number) {
    this.#lastSeen = sinceEpoch(ms);
  }

  /** Start of the command rate limit's current window (`Date.now()` time). */
  get windowStart(): number {
    return fromEpoch(this.#windowStart);
  }
  set windowStart(ms: number) {
    this.#windowStart = sinceEpoch(ms);
  }

  get encodingLabel(): EncodingLabel {
    return this.encoding.name;
  }

  sendControl(op: number, d: unknown): void {
    if (this.closed) return;
    // A heartbeat ACK or request: the same bytes for every connection of an encoding, encoded once (emptyControls.ts).
    if (d === null && (op === GatewayOpcodes.HeartbeatAck || op === GatewayOpcodes.Heartbeat)) {
      const control = emptyControl(this.encoding, op);
      this.sendEncodedControl(control.payload, control.wsFrame);
      return;
    }
    const frame = encodeControl(this.encoding, op, d);
    if (this.#profile.sharedZlib)
      Connection.#emit(this, Connection.#withZlibHeader(this, compressIndependent(frame, this.host.zlibLevel)), true);
    else
      Connection.#write(
        this,
        frame,
        op === GatewayOpcodes.Hello || op === GatewayOpcodes.HeartbeatAck || op === GatewayOpcodes.Heartbeat,
      );
  }

  /**
   * Sends a control frame encoded once for many connections (Hello: the same bytes for every connection of an
   * encoding): `payload` as `encodeControl` makes it, `wsFrame` the same payload as a whole WebSocket frame, written
   * straight to the socket when nothing transforms the payload (never changed: sockets only read what they are given).
   * `before` (the upgrade's 101 response, Latin-1) is written in front of it, in the same buffer when the frame goes
   * straight to the socket.
   */
  sendEncodedControl(payload: Buffer, wsFrame: Buffer, before?: string): void {
    if (this.closed) return;
    if (burstSocket !== null) flushBurst();
    const socket =
      this.#profile.sharedZlib || this.#compressor || this.payloadCompression ? null : this.ws.writableSocket();
    if (socket === null) {
      if (before !== undefined) this.ws.socket.write(before, 'latin1');
      if (this.#profile.sharedZlib) {
        Connection.#emit(
          this,
          Connection.#withZlibHeader(this, compressIndependent(payload, this.host.zlibLevel)),
          true,
        );
      } else Connection.#write(this, payload, true);
      return;
    }
    Connection.#coalesce(this, socket);
    if (before === undefined) socket.write(wsFrame);
    else {
      const out = Buffer.allocUnsafe(before.length + wsFrame.length);
      out.write(before, 0, 'latin1');
      wsFrame.copy(out, before.length);
      socket.write(out);
    }
    Connection.#sent(this, payload.length, socket.writableLength);
  }

  /**
   * Writes one dispatch. A dispatch this encoding cannot carry is skipped for this connection (reported to the host)
   * rather than thrown: it must neither stop a fan-out loop nor end the session (a Resume would replay it again).
   */
  sendDispatch(dispatch: PreparedDispatch, full: boolean, seq: number): void {
    if (this.closed) return;
    // Kept this small (every delivery comes through here): a waiting follower takes the other path.
    if ((this.#flags & FOLLOWING) !== 0) {
      Connection.#sendFollowed(this, dispatch, full, seq);
      return;
    }
    Connection.#trySend(this, dispatch, full, seq);
  }

  static #trySend(c: Connection, dispatch: PreparedDispatch, full: boolean, seq: number): void {
    try {
      Connection.#sendDispatch(c, dispatch, full, seq);
    } catch (error) {
      if (!(error instanceof DispatchEncodeError)) throw error;
      c.host.onEncodeError?.(c, error);
    }
  }

  /** {@link Connection.sendDispatch} while a follower waits: the one `dispatch` matches goes with it, in one write. */
  static #sendFollowed(c: Connection, dispatch: PreparedDispatch, full: boolean, seq: number): void {
    const follower = c.followerOf(dispatch);
    if (follower !== undefined) c.coalesceTick();
    Connection.#trySend(c, dispatch, full, seq);
    follower?.();
  }

  /**
   * Right after the next dispatch written to this connection that `matches`, `follow` runs (it sends the dispatch
   * that must come with it), and both leave in one socket write. Several may wait (a session joining voice in two
   * guilds at once); each runs once. Used for a voice join: the joining session's VOICE_SERVER_UPDATE follows its own
   * VOICE_STATE_UPDATE, which reaches it through the broker (on a cluster, a round trip later), and discord.py must
   * read the two together (VoiceStateHandler).
   */
  followNext(matches: (dispatch: PreparedDispatch) => boolean, follow: () => void): void {
    const waiting = followers.get(this);
    if (waiting === undefined) followers.set(this, [{ matches, follow }]);
    else waiting.push({ matches, follow });
    this.#flags |= FOLLOWING;
  }

  /** The follower waiting on `dispatch`, taken off the connection; undefined when none (SessionSink.followerOf). */
  followerOf(dispatch: PreparedDispatch): (() => void) | undefined {
    return (this.#flags & FOLLOWING) === 0 ? undefined : Connection.#take(this, (f) => f.matches(dispatch));
  }

  /** Drops a follower still waiting here (it was sent another way). */
  unfollow(follow: () => void): void {
    Connection.#take(this, (f) => f.follow === follow);
  }

  /** The first waiting follower `which` picks, taken off the connection; undefined when none. */
  static #take(c: Connection, which: (follower: Follower) => boolean): (() => void) | undefined {
    const waiting = followers.get(c);
    const at = waiting?.findIndex(which) ?? -1;
    if (at === -1) return undefined;
    const [taken] = waiting!.splice(at, 1);
    if (waiting!.length === 0) {
      followers.delete(c);
      c.#flags &= ~FOLLOWING;
    }
    return taken!.follow;
  }

  // The write path as static private methods: a class with private instance methods carries a brand field in every
  // instance (8 bytes per held connection).
  static #sendDispatch(c: Connection, dispatch: PreparedDispatch, full: boolean, seq: number): void {
    // Fast path: the whole WebSocket frame built in one buffer (shared bytes copied, never re-encoded) and written
    // straight to the socket; `ws.send` would allocate a header and copy the payload behind it per recipient.
    const socket = c.#compressor || c.payloadCompression ? null : c.ws.writableSocket();
    if (socket !== null) {
      let frame: Buffer;
      if (c.#profile.sharedZlib) {
        // The stream header goes with the first frame actually built (building may throw DispatchEncodeError).
        frame = dispatch.zlibWsFrame(
          c.encoding,
          full,
          seq,
          c.host.zlibLevel,
          (c.#flags & ZLIB_HEADER_SENT) !== 0 ? null : ZLIB_HEADER,
        );
        c.#flags |= ZLIB_HEADER_SENT;
        Connection.#coalesce(c, socket);
        socket.write(frame);
      } else {
        if (socket === burstSocket) {
          // In a burst: the frame goes into the slab right after the burst's previous one (flushBurst writes them).
          const start = slabUsed;
          const end = dispatch.writeWsFrame(c.encoding, full, seq, slab, start);
          if (end >= 0) {
            slabUsed = end;
            Connection.#sent(c, payloadBytes(slab, start, end), 0);
            return;
          }
          // No room left: what is there goes now, and the rest of the burst is corked.
          flushBurst();
        }
        // Corking decided first: a corked (or busy) socket queues the frame, which must then be its own Buffer.
        Connection.#coalesce(c, socket);
        const fd = tcpWrite !== null && c.host.directWrites === true ? tcpWrite.directFd(socket) : -1;
        if (fd !== -1) {
          // Built in the slab and sent from it by one send(2), without Node's stream machinery (~1–2 µs of user CPU
          // per delivery); what the kernel does not take is queued as a copy, so the room is free again either way.
          slabWithRoom();
          const start = slabUsed;
          const end = dispatch.writeWsFrame(c.encoding, full, seq, slab, start);
          if (end >= 0) {
            const sent = tcpWrite!.writeDirect(socket as Socket, fd, slab, start, end);
            Connection.#sent(c, payloadBytes(slab, start, end), sent === end - start ? 0 : socket.writableLength);
            return;
          }
          // Bigger than the slab's room: built as its own Buffer below.
        }
        const direct = writesAtOnce(socket);
        if (direct) slabWithRoom();
        frame = dispatch.wsFrame(c.encoding, full, seq, direct ? slab.subarray(slabUsed) : undefined);
        socket.write(frame);
        // Still queued (a partial write, a TLS socket): its bytes are the socket's until written.
        if (frame.buffer === slab.buffer && socket.writableLength > 0) slabUsed = frame.byteOffset + frame.length;
      }
      // Metrics count payload bytes, as `ws.send` callers do.
      Connection.#sent(c, payloadBytes(frame, 0, frame.length), socket.writableLength);
      return;
    }
    if (c.#profile.sharedZlib) {
      Connection.#emit(
        c,
        Connection.#withZlibHeader(c, dispatch.zlibFrame(c.encoding, full, seq, c.host.zlibLevel)),
        true,
      );
    } else Connection.#write(c, dispatch.frame(c.encoding, full, seq), false);
  }

  /**
   * The frames written for the rest of this tick, the first included, leave in one socket write when the tick ends
   * (normally the first goes at once): for dispatches a client must read in one go (see {@link Connection.followNext}).
   */
  coalesceTick(): void {
    const socket = this.closed ? null : this.ws.writableSocket();
    if (socket === null) return;
    this.#wroteInTick = currentTick();
    endTickSoon();
    corkUntilTickEnd(socket);
  }

  /** The tick's first frame for c socket goes at once; a second one corks it until the tick ends (writeTick.ts). */
  static #coalesce(c: Connection, socket: Duplex): void {
    if (c.#wroteInTick !== currentTick()) {
      c.#wroteInTick = currentTick();
      endTickSoon();
    } else corkUntilTickEnd(socket);
  }

  static #withZlibHeader(c: Connection, bytes: Buffer): Buffer {
    if ((c.#flags & ZLIB_HEADER_SENT) !== 0) return bytes;
    c.#flags |= ZLIB_HEADER_SENT;
    return Buffer.concat([ZLIB_HEADER, bytes]);
  }

  static #write(c: Connection, frame: Buffer, small: boolean): void {
    if (c.#compressor) Connection.#emit(c, c.#compressor.compress(frame), true);
    else if (c.payloadCompression && !small && frame.length >= c.host.payloadCompressionThreshold) {
      Connection.#emit(c, deflatePayload(frame), true);
    } else Connection.#emit(c, frame, c.encoding.binary);
  }

  static #emit(c: Connection, out: Uint8Array, binary: boolean): void {
    if (burstSocket !== null) flushBurst();
    c.ws.send(out, binary);
    Connection.#sent(c, out.byteLength, c.ws.bufferedAmount);
  }

  static #sent(c: Connection, bytes: number, buffered: number): void {
    c.host.metrics?.bytesSent(bytes, c.encoding.name, c.compression);
    if ((c.#flags & IN_BURST) !== 0) return;
    if (buffered < c.#allowance) c.#allowance = buffered;
    if (buffered > c.host.maxBufferedBytes + c.#allowance) c.host.onBackpressure(c);
  }

  /**
   * Writes a burst the client asked for (READY and its GUILD_CREATEs, a resume replay) without tripping the bound;
   * what it leaves buffered is tolerated while it drains, but nothing more on top of it.
   */
  burst(write: () => void): void {
    this.#flags |= IN_BURST;
    // The whole burst leaves in one write: from the slab (below), or corked until the end of the tick.
    this.#wroteInTick = currentTick();
    endTickSoon();
    // Frames written straight into the slab and the whole burst in one socket write, when nothing transforms them
    // and the socket has nothing queued (as for a direct frame in #sendDispatch).
    const socket =
      this.#compressor || this.payloadCompression || this.#profile.sharedZlib ? null : this.ws.writableSocket();
    const slabbed = socket !== null && burstSocket === null && writesAtOnce(socket);
    if (slabbed) {
      slabWithRoom();
      burstSocket = socket;
      burstStart = slabUsed;
      burstDirect = this.host.directWrites === true;
    }
    try {
      write();
    } finally {
      if (slabbed && burstSocket === socket) flushBurst();
      this.#flags &= ~IN_BURST;
      this.#allowance = this.ws.bufferedAmount;
    }
  }

  /** Sends a close frame; the socket is cut if the peer does not answer within `graceMs`. */
  close(code: number, reason = '', graceMs = 2000): void {
    if (this.closed) return;
    // A burst in the slab goes first: nothing written after a close frame is read.
    if (burstSocket !== null) flushBurst();
    this.#flags |= CLOSED;
    this.closeCode = code;
    this.#compressor?.close();
    this.#compressor = null;
    try {
      this.ws.close(code, reason.slice(0, 120), graceMs);
    } catch {
      // Not a code a close frame may carry.
      this.ws.terminate();
    }
  }

  /** The socket is gone (close event): release the compressor. */
  dispose(): void {
    this.#flags |= CLOSED;
    this.#compressor?.close();
    this.#compressor = null;
  }
}
