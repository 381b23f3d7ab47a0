import { randomBytes, randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, isIP } from 'node:net';
import { VoiceCloseCode, VoiceOpcode } from '@concord/protocol';
import { EventEmitter } from 'eventemitter3';
import { WebSocket, WebSocketServer } from 'ws';
import type { CryptoBackend } from '../crypto/backends.js';
import { ENCRYPTION_MODES, type EncryptionMode, isEncryptionMode } from '../crypto/modes.js';
import { generateSecretKey, PacketCipher } from '../crypto/PacketCipher.js';
import { MIXER_DEFAULTS, Mixer, type MixerStats } from '../mixer/Mixer.js';
import type { Position, PositionalOptions } from '../spatial/spatialize.js';
import { Sfu, type SfuMember, type SfuStats } from './Sfu.js';
import { TokenAllocator, type VoiceAllocationRequest } from './TokenAllocator.js';

/** Close codes after which the session is gone (a resume would get 4006). */
const TERMINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  VoiceCloseCode.AuthenticationFailed,
  VoiceCloseCode.SessionNoLongerValid,
  VoiceCloseCode.SessionTimeout,
  VoiceCloseCode.Disconnected,
  VoiceCloseCode.CallTerminated,
  VoiceCloseCode.UnknownProtocol,
  VoiceCloseCode.UnknownEncryptionMode,
]);

export interface VoiceIdentify {
  serverId: string;
  userId: string;
  sessionId: string;
  token: string;
}

/** What an `authorize` hook grants: the channel this user joins. */
export interface VoiceAuthorization {
  channelId: string;
}

export interface VoiceServerOptions {
  /** Interface the WebSocket and UDP sockets bind to (default 127.0.0.1). */
  host?: string;
  /** WebSocket port (default 0 = any free port). */
  port?: number;
  /** UDP port (default 0 = any free port). */
  udpPort?: number;
  /** Address given to clients in Ready (default: `host`, or 127.0.0.1 when `host` is a wildcard). */
  publicIp?: string;
  /** Host name put in the endpoint that `allocate` returns (default: `publicIp`). */
  publicHost?: string;
  /** Serve wss:// with this certificate and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Heartbeat interval sent in Hello, in ms (default 13750, as Discord). Silent connections close with 4009 after 1.5×. */
  heartbeatInterval?: number;
  /** Connections that have not identified (or resumed) this long after connecting close with 4009 (default 20 s). */
  identifyTimeout?: number;
  /** How long a dropped session can be resumed, in ms (default 30000). */
  resumeTimeout?: number;
  /** Validity of tokens issued by `allocate`, in ms (default 10 minutes). */
  allocationTtl?: number;
  /** Called for Identify tokens that `allocate` did not issue; return null to refuse (4004). */
  authorize?: (identify: VoiceIdentify) => VoiceAuthorization | null | Promise<VoiceAuthorization | null>;
  /** Modes offered in Ready, best first (default: all five). */
  modes?: readonly EncryptionMode[];
  /** Commands allowed per connection and window before 4021 (default 120 per 60 s). */
  rateLimit?: { commands: number; windowMs: number };
  /** SO_RCVBUF / SO_SNDBUF of the UDP socket in bytes (default 1 MiB; the kernel caps it). */
  udpBufferSize?: number;
  /** Crypto backend for the XSalsa20 and XChaCha20 modes (default: sodium-native when installed). */
  backend?: CryptoBackend;
  /**
   * Members of this node that may receive the server mix at once (default 8). Past it, a `mixed: true` Identify gets
   * `mixed: false` in Ready (and the speakers' own streams), and `setMixed` returns false.
   */
  maxMixedListeners?: number;
  /** Speakers the mixer decodes at once (default 12); more are left out of the mix until one goes quiet. */
  maxMixedSpeakers?: number;
}

/**
 * Defaults of VoiceServerOptions. The mixing caps keep the mixer's codecs (one encoder per mixed listener, one decoder
 * per speaker heard) within what opusscript can hold in one process (about 20 instances, see README › Limits).
 */
export const VOICE_SERVER_DEFAULTS = {
  host: '127.0.0.1',
  heartbeatInterval: 13_750,
  identifyTimeout: 20_000,
  resumeTimeout: 30_000,
  allocationTtl: 600_000,
  rateLimit: { commands: 120, windowMs: 60_000 },
  udpBufferSize: 1 << 20,
  maxMixedListeners: 8,
  maxMixedSpeakers: MIXER_DEFAULTS.maxSpeakers,
} as const satisfies VoiceServerOptions;

type ResolvedOptions = VoiceServerOptions & {
  -readonly [K in keyof typeof VOICE_SERVER_DEFAULTS]-?: NonNullable<VoiceServerOptions[K]>;
};

export interface VoiceMemberInfo {
  userId: string;
  guildId: string;
  channelId: string;
  sessionId: string;
  ssrc: number;
  mode: EncryptionMode | null;
}

export interface VoiceServerEvents {
  memberJoin: [member: VoiceMemberInfo];
  memberLeave: [member: VoiceMemberInfo, reason: string];
  speaking: [event: { member: VoiceMemberInfo; speaking: number }];
  error: [error: Error];
}

interface Session extends SfuMember {
  guildId: string;
  channelId: string;
  sessionId: string;
  token: string;
  speaking: number;
  conn: Connection | null;
  version: number;
  seq: number;
  /** v8: sequenced messages kept for resume. */
  outbox: { seq: number; text: string }[];
  resumeTimer: NodeJS.Timeout | null;
  gone: boolean;
}

interface Connection {
  ws: WebSocket;
  version: number;
  openedAt: number;
  session: Session | null;
  pending: boolean;
  lastSeen: number;
  windowStart: number;
  commands: number;
  closing: boolean;
}

const MAX_PAYLOAD = 4096;
const OUTBOX_SIZE = 128;
/** Server messages numbered in v8 (Hello and heartbeat ACKs are not). */
const UNSEQUENCED: ReadonlySet<number> = new Set([VoiceOpcode.Hello, VoiceOpcode.HeartbeatAck, VoiceOpcode.Resumed]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 64;
}

/** A Discord-compatible voice server: voice gateway (ws/wss, v4 and v8) in front of the UDP SFU. */
export class VoiceServer extends EventEmitter<VoiceServerEvents> {
  private readonly options: ResolvedOptions;
  private readonly http: HttpServer;
  private readonly wss: WebSocketServer;
  private readonly udp: Socket;
  private readonly sfu: Sfu;
  private readonly allocator: TokenAllocator;
  private readonly connections = new Set<Connection>();
  private readonly sessions = new Map<string, Session>();
  private readonly byToken = new Map<string, Session>();
  private readonly modes: readonly EncryptionMode[];
  private readonly sweepTimer: NodeJS.Timeout;
  private publicIp = '127.0.0.1';
  private mixer: Mixer | null = null;
  private mixTimer: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(options: VoiceServerOptions) {
    super();
    this.options = { ...VOICE_SERVER_DEFAULTS, ...withoutUndefined(options) };
    this.modes = options.modes ?? ENCRYPTION_MODES;
    this.allocator = new TokenAllocator(this.options.allocationTtl);
    this.http = options.tls
      ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key })
      : createHttpServer((_req, res) => res.writeHead(426).end());
    this.wss = new WebSocketServer({ server: this.http, maxPayload: 64 * 1024 });
    this.wss.on('connection', (ws, req) => this.onConnection(ws, req));
    this.wss.on('error', (error) => this.emit('error', error));
    // Fan-out sends bursts of N datagrams per packet received: a larger kernel buffer absorbs them (capped by rmem/wmem_max).
    const buffer = this.options.udpBufferSize;
    this.udp = createSocket({ type: 'udp4', recvBufferSize: buffer, sendBufferSize: buffer });
    this.udp.on('error', (error) => this.emit('error', error));
    this.sfu = new Sfu((packet, port, address) => this.udp.send(packet, port, address));
    // A listener our nonce counter ran out for needs a new key: end its session (4006), the client identifies again.
    this.sfu.onCipherExhausted = (member) =>
      queueMicrotask(() =>
        this.endSession(member as Session, VoiceCloseCode.SessionNoLongerValid, 'nonce counter exhausted'),
      );
    this.udp.on('message', (msg, rinfo) => this.sfu.handle(msg, rinfo.address, rinfo.port));
    const { heartbeatInterval, identifyTimeout } = this.options;
    const every = Math.max(50, Math.floor(Math.min(heartbeatInterval / 2, identifyTimeout / 4)));
    this.sweepTimer = setInterval(() => this.sweep(), every);
    this.sweepTimer.unref();
  }

  /** Binds the WebSocket and UDP sockets. */
  public static async listen(options: VoiceServerOptions = {}): Promise<VoiceServer> {
    const server = new VoiceServer(options);
    const host = server.options.host;
    try {
      await new Promise<void>((resolve, reject) => {
        server.http.once('error', reject);
        server.http.listen(options.port ?? 0, host, () => resolve());
      });
      await new Promise<void>((resolve, reject) => {
        server.udp.once('error', reject);
        server.udp.bind(options.udpPort ?? 0, host, () => resolve());
      });
    } catch (error) {
      await server.close();
      throw error;
    }
    const wildcard = host === '0.0.0.0' || host === '::';
    server.publicIp = options.publicIp ?? (wildcard ? '127.0.0.1' : host);
    return server;
  }

  /** Ports actually bound (useful with port 0). */
  public address(): { host: string; port: number; udpPort: number } {
    return {
      host: this.publicIp,
      port: (this.http.address() as AddressInfo).port,
      udpPort: this.udp.address().port,
    };
  }

  /** Media-plane counters: received, forwarded, dropped by reason; `mixer` once a user was set mixed. */
  public get stats(): SfuStats & { sessions: number; connections: number; mixer: MixerStats | null } {
    return {
      ...this.sfu.stats,
      sessions: this.sessions.size,
      connections: this.connections.size,
      mixer: this.mixer ? { ...this.mixer.stats } : null,
    };
  }

  /**
   * Issues the token and endpoint for a VOICE_SERVER_UPDATE. The endpoint is host:port without scheme, as Discord
   * sends it (clients add wss://).
   */
  public allocate(request: VoiceAllocationRequest): { token: string; endpoint: string } {
    const { token } = this.allocator.issue(request);
    const host = this.options.publicHost ?? this.publicIp;
    return { token, endpoint: `${host}:${this.address().port}` };
  }

  /** Members currently in a channel. */
  public members(guildId: string, channelId: string): VoiceMemberInfo[] {
    return [...this.sfu.members(roomKey(guildId, channelId))].map((m) => info(m as Session));
  }

  /** Server mute: the user's packets are no longer forwarded. */
  public setMute(userId: string, muted = true, guildId?: string): void {
    for (const session of this.find(userId, guildId)) session.muted = muted;
  }

  /** Server deafen: the user receives no audio. */
  public setDeaf(userId: string, deafened = true, guildId?: string): void {
    for (const session of this.find(userId, guildId)) session.deafened = deafened;
  }

  /**
   * Makes a channel positional (proximity chat): audio goes only to listeners within `range` of the speaker, and the
   * server mixer (if used) applies distance gain and stereo pan. Pass null to make it a plain channel again.
   */
  public setPositional(guildId: string, channelId: string, options: PositionalOptions | null): void {
    this.sfu.setPositional(roomKey(guildId, channelId), options);
  }

  /** Sets where a user is (and, for listening, which way they face) in a positional channel. */
  public setPosition(userId: string, position: Position | null, guildId?: string): void {
    const copy = position ? { ...position } : null;
    for (const session of this.find(userId, guildId)) session.position = copy;
  }

  /**
   * Switches a user to one server-mixed stream (SSRC MIXER_SSRC) instead of one stream per speaker. The mixer (and
   * its 20 ms timer) starts with the first mixed user. Returns false when `maxMixedListeners` members already get the
   * mix (that user's sessions are left as they were); switching off always succeeds.
   */
  public setMixed(userId: string, mixed = true, guildId?: string): boolean {
    let granted = true;
    for (const session of this.find(userId, guildId)) {
      if (mixed && !session.mixed && !this.mixSlotFree()) granted = false;
      else session.mixed = mixed;
    }
    if (mixed && granted) this.ensureMixer();
    return granted;
  }

  /** Whether one more member may get the server mix (the cap protects the codecs every mixed member costs). */
  private mixSlotFree(): boolean {
    let mixed = 0;
    for (const session of this.sessions.values()) if (session.mixed) mixed++;
    return mixed < this.options.maxMixedListeners;
  }

  private ensureMixer(): void {
    if (!this.mixer && !this.closed) {
      const mixer = new Mixer(this.sfu, (packet, port, address) => this.udp.send(packet, port, address), {
        maxSpeakers: this.options.maxMixedSpeakers,
      });
      this.mixer = mixer;
      this.mixTimer = setInterval(() => mixer.tick(), 20);
      this.mixTimer.unref();
    }
  }

  /** Kicks a user out of voice (close 4014: do not reconnect). */
  public disconnect(userId: string, guildId?: string): void {
    for (const session of this.find(userId, guildId)) this.endSession(session, VoiceCloseCode.Disconnected, 'kicked');
  }

  /** Ends a whole channel's call (close 4022). */
  public endCall(guildId: string, channelId: string): void {
    for (const m of [...this.sfu.members(roomKey(guildId, channelId))]) {
      this.endSession(m as Session, VoiceCloseCode.CallTerminated, 'call terminated');
    }
  }

  /**
   * Closes every connection and both sockets. `code` defaults to 1001 (going away); pass 4015 when draining this node
   * so that clients resume against the voice server they are given next.
   */
  public async close(code = 1001): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    if (this.mixTimer) clearInterval(this.mixTimer);
    this.mixer?.destroy();
    this.mixer = null;
    for (const session of [...this.sessions.values()]) this.endSession(session, code, 'server closed');
    for (const conn of this.connections) this.closeConn(conn, code, 'server closed');
    // Give the close frames a moment to reach the clients, then cut whatever is left.
    const deadline = Date.now() + 1_000;
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const conn of this.connections) conn.ws.terminate();
    this.http.closeAllConnections?.();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => (this.http.listening ? this.http.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => {
      try {
        this.udp.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  private *find(userId: string, guildId?: string): Generator<Session> {
    for (const session of this.sessions.values()) {
      if (session.userId === userId && (guildId === undefined || session.guildId === guildId)) yield session;
    }
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    const url = new URL(req.url ?? '/', 'http://voice');
    const v = url.searchParams.get('v');
    const version = v === null ? 4 : Number(v);
    const now = Date.now();
    const conn: Connection = {
      ws,
      version,
      openedAt: now,
      session: null,
      pending: false,
      lastSeen: now,
      windowStart: now,
      commands: 0,
      closing: false,
    };
    this.connections.add(conn);
    ws.on('close', (code) => this.onClose(conn, code));
    ws.on('error', () => ws.terminate());
    if (!Number.isInteger(version) || version < 4 || version > 8) {
      this.closeConn(conn, VoiceCloseCode.BadRequest, 'unsupported version');
      return;
    }
    ws.on('message', (data, isBinary) => {
      try {
        this.onMessage(conn, data as Buffer, isBinary);
      } catch (error) {
        this.emit('error', error as Error);
        this.closeConn(conn, 4000, 'internal error');
      }
    });
    const hello: Record<string, unknown> = { heartbeat_interval: this.options.heartbeatInterval };
    if (version >= 8) hello.v = version;
    this.sendRaw(conn, VoiceOpcode.Hello, hello);
  }

  private onMessage(conn: Connection, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): undefined {
    if (conn.closing) return;
    conn.lastSeen = Date.now();
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
    // Binary frames are DAVE (end-to-end encryption) messages; this server negotiates DAVE version 0, so none are valid.
    if (isBinary || buf.length > MAX_PAYLOAD) return this.closeConn(conn, VoiceCloseCode.DecodeFailure, 'decode error');
    let payload: unknown;
    try {
      payload = JSON.parse(buf.toString('utf8'));
    } catch {
      return this.closeConn(conn, VoiceCloseCode.DecodeFailure, 'invalid JSON');
    }
    if (!isObject(payload) || !Number.isInteger(payload.op)) {
      return this.closeConn(conn, VoiceCloseCode.DecodeFailure, 'invalid payload');
    }
    if (!this.allow(conn)) return this.closeConn(conn, VoiceCloseCode.RateLimited, 'rate limited');
    const d = payload.d;
    switch (payload.op) {
      case VoiceOpcode.Heartbeat:
        return this.onHeartbeat(conn, d);
      case VoiceOpcode.Identify:
        if (conn.session || conn.pending) return this.closeConn(conn, VoiceCloseCode.AlreadyAuthenticated, 'already');
        this.onIdentify(conn, d).catch((error: Error) => {
          this.emit('error', error);
          this.closeConn(conn, 4000, 'internal error');
        });
        return;
      case VoiceOpcode.Resume:
        if (conn.session || conn.pending) return this.closeConn(conn, VoiceCloseCode.AlreadyAuthenticated, 'already');
        return this.onResume(conn, d);
      case VoiceOpcode.SelectProtocol:
      case VoiceOpcode.Speaking:
      case VoiceOpcode.Video: {
        const session = conn.session;
        if (!session) return this.closeConn(conn, VoiceCloseCode.NotAuthenticated, 'not authenticated');
        if (payload.op === VoiceOpcode.SelectProtocol) return this.onSelectProtocol(conn, session, d);
        if (payload.op === VoiceOpcode.Speaking) return this.onSpeaking(conn, session, d);
        return;
      }
      default:
        return this.closeConn(conn, VoiceCloseCode.UnknownOpcode, 'unknown opcode');
    }
  }

  private allow(conn: Connection): boolean {
    const limit = this.options.rateLimit;
    const now = Date.now();
    if (now - conn.windowStart >= limit.windowMs) {
      conn.windowStart = now;
      conn.commands = 0;
    }
    return ++conn.commands <= limit.commands;
  }

  private onHeartbeat(conn: Connection, d: unknown): undefined {
    if (isObject(d)) {
      const ack = d.seq_ack;
      if (conn.session && typeof ack === 'number') trimOutbox(conn.session, ack);
      this.sendRaw(conn, VoiceOpcode.HeartbeatAck, conn.version >= 8 ? { t: d.t ?? null } : d);
      return;
    }
    this.sendRaw(conn, VoiceOpcode.HeartbeatAck, conn.version >= 8 ? { t: d ?? null } : (d ?? null));
  }

  private async onIdentify(conn: Connection, d: unknown): Promise<undefined> {
    if (
      !isObject(d) ||
      !isId(d.server_id) ||
      !isId(d.user_id) ||
      !isId(d.session_id) ||
      typeof d.token !== 'string' ||
      d.token.length > 512
    ) {
      return this.closeConn(conn, VoiceCloseCode.BadRequest, 'bad identify');
    }
    const identify: VoiceIdentify = {
      serverId: d.server_id,
      userId: d.user_id,
      sessionId: d.session_id,
      token: d.token,
    };
    conn.pending = true;
    let channelId: string | null = null;
    const allocation = this.allocator.verify(identify.token, identify.serverId, identify.userId, identify.sessionId);
    if (allocation) channelId = allocation.channelId;
    else if (this.options.authorize) {
      try {
        channelId = (await this.options.authorize(identify))?.channelId ?? null;
      } catch (error) {
        this.emit('error', error as Error);
      }
    }
    conn.pending = false;
    if (conn.closing || this.closed) return;
    if (channelId === null) {
      // A real token presented to the wrong server_id: the client is looking for a voice server that is not this one.
      const guild = this.allocator.guildOf(identify.token);
      if (guild !== null && guild !== identify.serverId) {
        return this.closeConn(conn, VoiceCloseCode.ServerNotFound, 'server not found');
      }
      return this.closeConn(conn, VoiceCloseCode.AuthenticationFailed, 'authentication failed');
    }
    // One voice session per user and guild: a new Identify replaces the old one.
    for (const old of this.find(identify.userId, identify.serverId)) {
      this.endSession(old, VoiceCloseCode.SessionNoLongerValid, 'replaced');
    }
    // Not in Discord's protocol: a Concord client may ask for the server mix at Identify (`mixed: true`); Ready then
    // says whether it got it (`mixed: false` when the node's mixing capacity is full: it gets the individual streams).
    const askedMix = d.mixed === true;
    const session: Session = {
      userId: identify.userId,
      guildId: identify.serverId,
      channelId,
      sessionId: identify.sessionId,
      token: identify.token,
      ssrc: this.newSsrc(),
      room: roomKey(identify.serverId, channelId),
      mode: null,
      cipher: null,
      remote: null,
      muted: false,
      deafened: false,
      silenceRun: 0,
      mixed: askedMix && this.mixSlotFree(),
      speaking: 0,
      conn,
      version: conn.version,
      seq: 0,
      outbox: [],
      resumeTimer: null,
      gone: false,
    };
    conn.session = session;
    if (session.mixed) this.ensureMixer();
    this.sessions.set(sessionKey(session), session);
    this.byToken.set(session.token, session);
    const others = [...this.sfu.members(session.room)] as Session[];
    this.sfu.add(session);
    const address = this.address();
    this.send(session, VoiceOpcode.Ready, {
      ssrc: session.ssrc,
      ip: this.publicIp,
      port: address.udpPort,
      modes: this.modes,
      heartbeat_interval: this.options.heartbeatInterval,
      ...(askedMix ? { mixed: session.mixed } : {}),
    });
    if (others.length > 0) {
      this.send(session, VoiceOpcode.ClientsConnect, { user_ids: others.map((o) => o.userId) });
      // SSRC → user for receivers, before anyone speaks (what Discord does for members already in the call).
      for (const o of others)
        this.send(session, VoiceOpcode.Speaking, { speaking: o.speaking, ssrc: o.ssrc, user_id: o.userId });
    }
    for (const o of others) this.send(o, VoiceOpcode.ClientsConnect, { user_ids: [session.userId] });
    this.emit('memberJoin', info(session));
  }

  private onResume(conn: Connection, d: unknown): undefined {
    if (!isObject(d) || !isId(d.server_id) || !isId(d.session_id) || typeof d.token !== 'string') {
      return this.closeConn(conn, VoiceCloseCode.BadRequest, 'bad resume');
    }
    const session = this.byToken.get(d.token);
    if (!session || session.gone || session.guildId !== d.server_id || session.sessionId !== d.session_id) {
      return this.closeConn(conn, VoiceCloseCode.SessionNoLongerValid, 'session no longer valid');
    }
    const previous = session.conn;
    if (previous && previous !== conn) {
      previous.session = null;
      this.closeConn(previous, 1000, 'resumed elsewhere');
    }
    if (session.resumeTimer) clearTimeout(session.resumeTimer);
    session.resumeTimer = null;
    session.conn = conn;
    session.version = conn.version;
    conn.session = session;
    if (conn.version >= 8) {
      const ack = typeof d.seq_ack === 'number' ? d.seq_ack : -1;
      for (const entry of session.outbox) if (entry.seq > ack) conn.ws.send(entry.text);
    }
    this.sendRaw(conn, VoiceOpcode.Resumed, null);
  }

  private onSelectProtocol(conn: Connection, session: Session, d: unknown): undefined {
    if (!isObject(d) || typeof d.protocol !== 'string') return this.closeConn(conn, VoiceCloseCode.BadRequest, 'bad');
    if (d.protocol !== 'udp') return this.closeConn(conn, VoiceCloseCode.UnknownProtocol, 'unknown protocol');
    const data = d.data;
    if (!isObject(data)) return this.closeConn(conn, VoiceCloseCode.BadRequest, 'missing data');
    const mode = data.mode;
    if (!isEncryptionMode(mode) || !this.modes.includes(mode)) {
      return this.closeConn(conn, VoiceCloseCode.UnknownEncryptionMode, 'unknown encryption mode');
    }
    const address = typeof data.address === 'string' ? data.address : data.ip;
    const port = data.port;
    // The claimed address must be an IP literal (a host name would be resolved by every send), but it is only checked,
    // never used: media goes to the address the member proves over UDP (Sfu: IP discovery, or its first authenticated
    // packet). Discord's clients claim what IP discovery told them, i.e. that very address; anything else is a claim
    // about someone else's address, and following it would make this server a traffic reflector.
    if (
      typeof address !== 'string' ||
      isIP(address) === 0 ||
      !Number.isInteger(port) ||
      (port as number) < 1 ||
      (port as number) > 65535
    ) {
      return this.closeConn(conn, VoiceCloseCode.BadRequest, 'bad address');
    }
    const key = generateSecretKey();
    session.mode = mode;
    session.cipher = new PacketCipher(mode, key, this.options.backend ? { backend: this.options.backend } : {});
    this.send(session, VoiceOpcode.SessionDescription, {
      mode,
      secret_key: [...key],
      audio_codec: 'opus',
      media_session_id: randomBytes(16).toString('hex'),
      dave_protocol_version: 0,
    });
  }

  private onSpeaking(conn: Connection, session: Session, d: unknown): undefined {
    if (!isObject(d) || !Number.isInteger(d.speaking) || (d.speaking as number) < 0) {
      return this.closeConn(conn, VoiceCloseCode.BadRequest, 'bad speaking');
    }
    session.speaking = d.speaking as number;
    for (const other of this.sfu.members(session.room)) {
      if (other === session) continue;
      this.send(other as Session, VoiceOpcode.Speaking, {
        speaking: session.speaking,
        ssrc: session.ssrc,
        user_id: session.userId,
      });
    }
    this.emit('speaking', { member: info(session), speaking: session.speaking });
  }

  private onClose(conn: Connection, code: number): undefined {
    this.connections.delete(conn);
    const session = conn.session;
    conn.session = null;
    if (!session || session.conn !== conn || session.gone) return;
    session.conn = null;
    // A client that said goodbye (1000/1001) leaves; anything else may come back with Resume for a while.
    if (!conn.closing && (code === 1000 || code === 1001)) return this.endSession(session, null, 'left');
    session.resumeTimer = setTimeout(
      () => this.endSession(session, null, 'resume timeout'),
      this.options.resumeTimeout,
    );
    session.resumeTimer.unref();
  }

  private endSession(session: Session, code: number | null, reason: string): undefined {
    if (session.gone) return;
    session.gone = true;
    if (session.resumeTimer) clearTimeout(session.resumeTimer);
    this.sessions.delete(sessionKey(session));
    if (this.byToken.get(session.token) === session) this.byToken.delete(session.token);
    this.sfu.remove(session);
    const conn = session.conn;
    session.conn = null;
    if (conn && code !== null) {
      conn.session = null;
      this.closeConn(conn, code, reason);
    }
    for (const other of this.sfu.members(session.room)) {
      this.send(other as Session, VoiceOpcode.ClientDisconnect, { user_id: session.userId });
    }
    this.emit('memberLeave', info(session), reason);
  }

  private closeConn(conn: Connection, code: number, reason: string): undefined {
    if (conn.closing) return;
    conn.closing = true;
    const session = conn.session;
    if (session && TERMINAL_CLOSE_CODES.has(code)) this.endSession(session, null, reason);
    try {
      conn.ws.close(code, reason.slice(0, 120));
    } catch {
      conn.ws.terminate();
    }
  }

  private sweep(): void {
    const now = Date.now();
    const deadline = now - this.options.heartbeatInterval * 1.5;
    const identifyBy = now - this.options.identifyTimeout;
    for (const conn of this.connections) {
      if (conn.closing) continue;
      // As the main gateway: heartbeats keep a connection open, not an unidentified one (an authorize hook still
      // running counts as not identified: it must not hold the connection forever either).
      if (!conn.session && conn.openedAt < identifyBy) {
        this.closeConn(conn, VoiceCloseCode.SessionTimeout, 'identify timed out');
      } else if (conn.lastSeen < deadline) this.closeConn(conn, VoiceCloseCode.SessionTimeout, 'timed out');
    }
  }

  private newSsrc(): number {
    for (;;) {
      const ssrc = randomInt(1, 0xffffffff);
      if (!this.sfu.hasSsrc(ssrc)) return ssrc;
    }
  }

  /** Sends to a session: numbered and kept for resume in v8, dropped silently while the session is disconnected (v4). */
  private send(session: Session, op: number, d: unknown): void {
    const conn = session.conn;
    const sequenced = session.version >= 8 && !UNSEQUENCED.has(op);
    let text: string;
    if (sequenced) {
      const seq = ++session.seq;
      text = JSON.stringify({ op, d, seq });
      session.outbox.push({ seq, text });
      if (session.outbox.length > OUTBOX_SIZE) session.outbox.shift();
    } else text = JSON.stringify({ op, d });
    if (conn && !conn.closing && conn.ws.readyState === WebSocket.OPEN) conn.ws.send(text);
  }

  private sendRaw(conn: Connection, op: number, d: unknown): void {
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(JSON.stringify({ op, d }));
  }
}

/** Options as given, minus keys set to undefined (which would otherwise override the defaults when spread). */
function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function trimOutbox(session: Session, ack: number): void {
  let drop = 0;
  while (drop < session.outbox.length && session.outbox[drop]!.seq <= ack) drop++;
  if (drop > 0) session.outbox.splice(0, drop);
}

function roomKey(guildId: string, channelId: string): string {
  return `${guildId}:${channelId}`;
}

function sessionKey(session: { guildId: string; userId: string }): string {
  return `${session.guildId}:${session.userId}`;
}

function info(session: Session): VoiceMemberInfo {
  return {
    userId: session.userId,
    guildId: session.guildId,
    channelId: session.channelId,
    sessionId: session.sessionId,
    ssrc: session.ssrc,
    mode: session.mode,
  };
}

/** Starts a voice server (WebSocket gateway + UDP SFU) and resolves once both sockets are bound. */
export function createVoiceServer(options: VoiceServerOptions = {}): Promise<VoiceServer> {
  return VoiceServer.listen(options);
}
