import { randomBytes } from 'node:crypto';
import { createServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import {
  type Broker,
  type BrokerMessage,
  type DispatchTarget,
  InProcessBroker,
  type StreamPosition,
} from './Broker.js';
import { buildGuildCreate } from './buildGuildCreate.js';
import { Connection, type ConnectionHost, type FrameCompressor } from './Connection.js';
import { type Directory, InMemoryDirectory } from './Directory.js';
import type { DispatchEncodeError } from './DispatchEncodeError.js';
import { checkDrainOptions, type DrainOptions, type DrainStats, resolveWaveSize } from './drain.js';
import { carriesMessageContent, eventIntent, Intent, mayReadContent } from './eventIntents.js';
import { GatewayServerError } from './GatewayServerError.js';
import { type GatewayServerOptions, gatewayServerDefaults } from './GatewayServerOptions.js';
import { IdentifyAddressLimiter } from './IdentifyAddressLimiter.js';
import { type IdentifyThrottle, InMemoryIdentifyThrottle } from './IdentifyThrottle.js';
import { createLazyMemberLists } from './members/createLazyMemberLists.js';
import { createMemberRequestHandler } from './members/createMemberRequestHandler.js';
import { PreparedDispatch } from './PreparedDispatch.js';
import type { ReplayEntry } from './ReplayBuffer.js';
import { readSnowflake } from './readSnowflake.js';
import type { ResumeStore } from './resume/ResumeStore.js';
import { SessionJournal } from './resume/SessionJournal.js';
import { compareStreamIds, maxStreamId } from './resume/streamId.js';
import { Session } from './Session.js';
import {
  InMemorySessionStartLimiter,
  type SessionStartLimit,
  type SessionStartLimiter,
} from './SessionStartLimiter.js';
import { InMemorySessionStore, type SessionStore } from './SessionStore.js';
import { serializeActivity, serializePresence } from './serialize/serializePresence.js';
import { serializeReady } from './serialize/serializeReady.js';
import { serializeVoiceState } from './serialize/serializeVoiceState.js';
import { serveWithoutUpgrade, wantsWebSocket } from './serveWithoutUpgrade.js';
import { shardOf } from './shardOf.js';
import type {
  AuthenticatedUser,
  Awaitable,
  CompressionLabel,
  GatewayLogger,
  GatewayMetrics,
  GuildSnapshot,
  LazyMemberLists,
  MemberRequestHandler,
  PresenceData,
  Snowflake,
  VoiceStateData,
} from './types.js';
import { createStaticVoiceAllocator, type VoiceAllocator } from './VoiceAllocator.js';
import { type ValidPresence, validatePresence } from './validatePresence.js';
import { voiceAccess } from './voiceAccess.js';
import { etfUsesAtomKeys } from './wire/etfAtomKeys.js';
import {
  CloseCode,
  closeKeepsSession,
  createZlibStreamDeflater,
  createZstdStreamDeflater,
  decodeJson,
  type Encoding,
  GATEWAY_VERSION,
  GatewayQueryError,
  getEncoding,
  IntentsError,
  PRIVILEGED_INTENTS,
  parseGatewayQuery,
  validateIntents,
  zstdAvailable,
} from './wire/protocol.js';

/** Per-dispatch options. */
export interface DispatchOptions {
  /**
   * Intent flag the event belongs to (sessions without it do not get it); `null` = every session. Default: Discord's
   * mapping for the event name (see `eventIntent`).
   */
  intent?: number | null;
}

/** Session ids this server makes (`randomBytes(16)` in hex): a Resume naming anything else cannot be one of ours. */
const SESSION_ID = /^[0-9a-f]{32}$/;
/** How the server reads clients' JSON: integers beyond 2^53 (snowflakes sent as numbers) as exact strings. */
const CLIENT_JSON = { unsafeIntegers: 'string' } as const;
const ZLIB_ONLY = ['zlib-stream'] as const;
const ZLIB_AND_ZSTD = ['zlib-stream', 'zstd-stream'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isThenable<T>(value: Awaitable<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === 'function';
}

function rawToBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

interface Resolved {
  heartbeatInterval: number;
  heartbeatTimeoutFactor: number;
  identifyTimeout: number;
  replayBufferSize: number;
  resumeTtl: number;
  resumeGapLimit: number;
  rateLimit: { commands: number; windowMs: number };
  maxPayloadBytes: number;
  maxConcurrency: number;
  largeThreshold: number;
}

/**
 * A Discord gateway v10 server. Create with `createGatewayServer()` (listens) or `new GatewayServer()` + `listen()`.
 */
export class GatewayServer implements ConnectionHost {
  readonly directory: Directory;
  readonly broker: Broker;
  readonly sessionStore: SessionStore;
  readonly voiceAllocator: VoiceAllocator;
  readonly #offVoiceMove: (() => void) | undefined;
  readonly metrics: GatewayMetrics | undefined;
  readonly maxBufferedBytes: number;
  readonly payloadCompressionThreshold: number;
  readonly zlibLevel: number;
  readonly #options: GatewayServerOptions;
  readonly #o: Resolved;
  readonly #logger: GatewayLogger | undefined;
  readonly #memberRequests: MemberRequestHandler;
  readonly #lazy: LazyMemberLists | undefined;
  readonly #wss: WebSocketServer;
  readonly #http: HttpServer | HttpsServer;
  readonly #ownsHttp: boolean;
  readonly #connections = new Set<Connection>();
  readonly #sessions = new Map<string, Session>();
  readonly #detached = new Set<Session>();
  readonly #guildSessions = new Map<Snowflake, Set<Session>>();
  readonly #userSessions = new Map<Snowflake, Set<Session>>();
  readonly #throttle: IdentifyThrottle;
  /** Identifies per remote address; null = unlimited (`identifyLimitPerAddress: false`). */
  readonly #addressLimiter: IdentifyAddressLimiter | null;
  readonly #startLimiter: SessionStartLimiter;
  /** Users whose presence this node announced: their last session ending here announces them offline. */
  readonly #presenceAnnounced = new Set<Snowflake>();
  #sweepTimer: NodeJS.Timeout | null = null;
  #closed = false;
  /** Write-ahead journal of this node's sessions, with a `resumeStore` (resume on any node). */
  readonly #journal: SessionJournal | undefined;
  /** Sessions being claimed from the resume store by this node (a second Resume for one of them loses). */
  readonly #claiming = new Set<string>();
  /** Per topic, cursor advances waiting for deliveries an async directory has not decided yet. */
  readonly #cursorHolds = new Map<string, Promise<void>>();
  /** The running drain, once `drain()` was called. */
  #drainRun: Promise<DrainStats> | null = null;
  /** Sessions handed to the store by a drain: closing this node must not delete them there. */
  #handedOver = false;
  /** Detached sessions whose `sessionStore.save` has not confirmed yet (`pending`) or failed. */
  readonly #saving = new Map<Session, 'pending' | 'failed'>();

  constructor(options: GatewayServerOptions) {
    if (typeof options?.authenticate !== 'function') {
      throw new GatewayServerError('INVALID_OPTION', 'options.authenticate must be a function');
    }
    this.#options = options;
    this.#o = {
      heartbeatInterval: options.heartbeatInterval ?? 41_250,
      heartbeatTimeoutFactor: options.heartbeatTimeoutFactor ?? 1.5,
      identifyTimeout: options.identifyTimeout ?? 20_000,
      replayBufferSize: options.replayBufferSize ?? 1000,
      resumeTtl: options.resumeTtl ?? 180_000,
      resumeGapLimit: options.resumeGapLimit ?? 10_000,
      rateLimit: options.rateLimit ?? { commands: 120, windowMs: 60_000 },
      maxPayloadBytes: options.maxPayloadBytes ?? 4096,
      maxConcurrency: Math.max(1, options.maxConcurrency ?? 1),
      largeThreshold: options.largeThreshold ?? 50,
    };
    this.maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
    this.payloadCompressionThreshold = options.payloadCompressionThreshold ?? 1024;
    this.zlibLevel = options.zlibLevel ?? 6;
    this.directory = options.directory ?? new InMemoryDirectory();
    this.broker = options.broker ?? new InProcessBroker();
    this.sessionStore = options.sessionStore ?? new InMemorySessionStore();
    this.voiceAllocator = options.voiceAllocator ?? createStaticVoiceAllocator(options.voiceEndpoint ?? null);
    if (options.resumeStore) {
      // Without topic histories a session resumed elsewhere would silently miss what was published meanwhile.
      if (this.broker.history !== true) {
        throw new GatewayServerError(
          'INVALID_OPTION',
          'resumeStore needs a broker with history (createRedisBroker, history not disabled)',
        );
      }
      this.#journal = this.#createJournal(options.resumeStore);
    }
    this.#offVoiceMove = this.voiceAllocator.onMove?.((move) => {
      this.reallocateVoice(move.guildId, move.channelId).catch((error) =>
        this.#logger?.error('voice reallocation failed', { ...move, error: String(error) }),
      );
    });
    this.metrics = options.metrics;
    this.#logger = options.logger;
    this.#memberRequests = options.memberRequests ?? createMemberRequestHandler({ directory: this.directory });
    const send = (sessionId: string, event: string, data: unknown): void => {
      const session = this.#sessions.get(sessionId);
      if (!session || session.destroyed) return;
      // One recipient's failure stays its own: the list index loops over every watcher with this callback.
      try {
        session.send(PreparedDispatch.forOne(event, data), true);
      } catch (error) {
        this.#deliveryFailed(event, session, error);
      }
    };
    const lazy = options.lazyMemberLists ?? true;
    this.#lazy =
      lazy === true
        ? createLazyMemberLists({
            directory: this.directory,
            send,
            onError: (error) => this.#logger?.error('member list update failed', { error: String(error) }),
          })
        : typeof lazy === 'function'
          ? lazy(send)
          : lazy === false
            ? undefined
            : lazy;
    this.#throttle = options.identifyThrottle ?? new InMemoryIdentifyThrottle(options.identifyIntervalMs ?? 5000);
    const perAddress = options.identifyLimitPerAddress ?? gatewayServerDefaults.identifyLimitPerAddress;
    this.#addressLimiter = perAddress === false ? null : new IdentifyAddressLimiter(perAddress);
    const limit = options.sessionStartLimit ?? { total: 1000, resetAfterMs: 86_400_000 };
    this.#startLimiter =
      options.sessionStartLimiter ??
      new InMemorySessionStartLimiter(limit.total, limit.resetAfterMs, this.#o.maxConcurrency);
    this.#wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      clientTracking: false,
      // Payloads between our limit and this one are read and answered with 4002; bigger ones ws cuts itself (1009).
      maxPayload: Math.max(64 * 1024, this.#o.maxPayloadBytes * 4),
    });
    this.#ownsHttp = options.server === undefined;
    this.#http =
      options.server ??
      createServer((_req, res) => {
        res.writeHead(426, { 'content-type': 'text/plain' }).end('Upgrade Required');
      });
    this.#http.on('upgrade', this.#onUpgrade);
  }

  /** Starts listening (own server) and the liveness sweep. Resolves once listening. */
  async listen(): Promise<this> {
    if (this.#closed) throw new GatewayServerError('CLOSED', 'server is closed');
    this.#startSweep();
    if (this.#ownsHttp && !this.#http.listening) {
      await new Promise<void>((resolve, reject) => {
        this.#http.once('error', reject);
        this.#http.listen(this.#options.port ?? 0, this.#options.host, () => {
          this.#http.off('error', reject);
          resolve();
        });
      });
    }
    return this;
  }

  /** The bound address (own server, or the attached one once it listens). */
  address(): AddressInfo {
    const address = this.#http.address();
    if (address === null || typeof address === 'string') throw new GatewayServerError('NOT_LISTENING', 'not listening');
    return address;
  }

  /** `ws://host:port` of this server (for tests and GET /gateway). */
  get url(): string {
    const { address, port, family } = this.address();
    const host = family === 'IPv6' ? `[${address}]` : address === '0.0.0.0' ? '127.0.0.1' : address;
    return `${this.#http instanceof HttpsServer ? 'wss' : 'ws'}://${host}:${port}`;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  /**
   * `session_start_limit` of a user, for GET /gateway/bot, from a limiter that answers synchronously (the default
   * in-memory one). Throws `INVALID_OPTION` with an asynchronous `sessionStartLimiter` (Redis): use `sessionStartLimit()`.
   */
  getSessionStartLimit(userId: Snowflake): SessionStartLimit {
    const limit = this.#startLimiter.get(userId);
    if (isThenable(limit)) {
      throw new GatewayServerError(
        'INVALID_OPTION',
        'the sessionStartLimiter is asynchronous: use sessionStartLimit()',
      );
    }
    return limit;
  }

  /** `session_start_limit` of a user, for GET /gateway/bot, from any limiter (shared across nodes with Redis). */
  async sessionStartLimit(userId: Snowflake): Promise<SessionStartLimit> {
    return this.#startLimiter.get(userId);
  }

  // ── dispatch API ────────────────────────────────────────────────────────────────────────────────────────────

  /** Sends an event to every session (of the right shard) in a guild. */
  dispatchToGuild(guildId: Snowflake, event: string, data: unknown, options?: DispatchOptions): void {
    this.dispatch(event, data, { type: 'guild', guildId }, options);
  }

  /** Sends an event to the sessions of a guild that can view a channel. */
  dispatchToChannel(
    guildId: Snowflake,
    channelId: Snowflake,
    event: string,
    data: unknown,
    options?: DispatchOptions,
  ): void {
    this.dispatch(event, data, { type: 'channel', guildId, channelId }, options);
  }

  /**
   * Sends an event to every session of some users (DMs, user-level events). With `guildId` only the sessions whose
   * shard holds that guild get it; without, shard 0 (where Discord sends DMs).
   */
  dispatchToUsers(
    userIds: Snowflake | Snowflake[],
    event: string,
    data: unknown,
    options?: DispatchOptions & { guildId?: Snowflake },
  ): void {
    const ids = Array.isArray(userIds) ? userIds : [userIds];
    for (const id of new Set(ids)) {
      const target: DispatchTarget =
        options?.guildId !== undefined
          ? { type: 'users', userIds: [id], guildId: options.guildId }
          : { type: 'users', userIds: [id] };
      this.dispatch(event, data, target, options);
    }
  }

  /** Sends an event to one session. */
  dispatchToSession(sessionId: string, event: string, data: unknown, options?: DispatchOptions): void {
    this.dispatch(event, data, { type: 'session', sessionId }, options);
  }

  /** The general form: publishes through the broker to every node holding a recipient. */
  dispatch(event: string, data: unknown, target: DispatchTarget, options: DispatchOptions = {}): void {
    const inGuild =
      target.type === 'guild' || target.type === 'channel' || (target.type === 'users' && !!target.guildId);
    const intent = options.intent !== undefined ? options.intent : eventIntent(event, inGuild);
    const message: BrokerMessage = { event, data, intent, target, createdAt: Date.now() };
    const topic =
      target.type === 'guild' || target.type === 'channel'
        ? `guild:${target.guildId}`
        : target.type === 'session'
          ? `session:${target.sessionId}`
          : null;
    if (topic !== null) this.#publish(topic, message);
    else if (target.type === 'users') {
      for (const id of target.userIds) {
        this.#publish(
          `user:${id}`,
          target.userIds.length === 1 ? message : { ...message, target: { ...target, userIds: [id] } },
        );
      }
    }
  }

  #publish(topic: string, message: BrokerMessage): void {
    try {
      const result = this.broker.publish(topic, message);
      if (isThenable(result)) {
        Promise.resolve(result).catch((error) =>
          this.#logger?.error('broker publish failed', { topic, error: String(error) }),
        );
      }
    } catch (error) {
      this.#logger?.error('broker publish failed', { topic, error: String(error) });
    }
  }

  readonly #onBrokerMessage = (message: BrokerMessage): void => {
    if (this.#closed) return;
    const dispatch = new PreparedDispatch(message.event, message.data, message.createdAt);
    const { target, intent } = message;
    const gated = carriesMessageContent(message.event);
    let recipients = 0;
    const position = message.position;
    // With a journal: deliveries still pending on an async directory, which the cursors must not pass.
    let undecided: Promise<unknown>[] | undefined;
    const deliver = (session: Session): void => {
      if (session.destroyed || (intent !== null && (session.intents & intent) === 0)) return;
      if (session.catchUp !== null && position !== undefined && caughtUp(session, position)) return;
      // Per recipient: whatever fails for one session (its encoding, its journal) must not stop the others.
      try {
        const full = !gated || mayReadContent(message.data, session.userId, session.intents);
        // A session resuming here waits for its gap to be filled from the topic history first.
        if (session.pending !== null) session.pending.push({ dispatch, full, position });
        else session.send(dispatch, full, position);
        recipients++;
      } catch (error) {
        this.#deliveryFailed(message.event, session, error);
      }
    };
    switch (target.type) {
      case 'guild': {
        const sessions = this.#guildSessions.get(target.guildId);
        if (sessions) for (const session of sessions) deliver(session);
        break;
      }
      case 'channel': {
        const sessions = this.#guildSessions.get(target.guildId);
        if (!sessions) break;
        for (const session of sessions) {
          let visible: Awaitable<boolean>;
          try {
            visible = this.directory.canView(session.userId, target.guildId, target.channelId);
          } catch (error) {
            this.#deliveryFailed(message.event, session, error);
            continue;
          }
          if (isThenable(visible)) {
            // Async directories cost ordering across dispatches; sync ones (the default) keep it.
            const decided = Promise.resolve(visible).then(
              (ok) => ok && deliver(session),
              () => undefined,
            );
            if (position !== undefined && this.#journal !== undefined) {
              undecided ??= [];
              undecided.push(decided);
            }
          } else if (visible) deliver(session);
        }
        break;
      }
      case 'users': {
        for (const userId of target.userIds) {
          const sessions = this.#userSessions.get(userId);
          if (!sessions) continue;
          for (const session of sessions) {
            const shard = target.guildId === undefined ? 0 : shardOf(target.guildId, session.shard[1]);
            if (session.shard[0] === shard) deliver(session);
          }
        }
        break;
      }
      case 'session': {
        const session = this.#sessions.get(target.sessionId);
        if (session) deliver(session);
        break;
      }
    }
    if (position !== undefined && this.#journal !== undefined) {
      this.#advanceCursors(this.#journal, position, undecided && Promise.all(undecided));
    }
    if (this.metrics) {
      this.metrics.dispatch(message.event, recipients);
      this.metrics.fanoutLatency((Date.now() - message.createdAt) / 1000);
    }
  };

  #deliveryFailed(event: string, session: Session, error: unknown): void {
    this.#logger?.error('dispatch delivery failed', {
      event,
      sessionId: session.sessionId,
      error: error instanceof Error ? error.message : String(error),
    });
  }

  /**
   * ConnectionHost: a dispatch this connection's encoding cannot carry (an integrator's payload too deep for
   * ETF/MessagePack, a cycle…) was skipped for it. The session stays: closing it would not help (a Resume replays the
   * same entry) and the client did nothing wrong. Logged once per dispatch and encoding, not per recipient.
   */
  onEncodeError(_connection: Connection, error: DispatchEncodeError): void {
    if (error.reported) return;
    error.reported = true;
    this.#logger?.error('dispatch encode failed: skipped for sessions using this encoding', {
      event: error.event,
      encoding: error.encoding,
      error: error.message,
    });
  }

  // ── session control ─────────────────────────────────────────────────────────────────────────────────────────

  /** Sends op 7 Reconnect to one session, or to every connection (`drain()` does it in waves). */
  reconnect(sessionId?: string): void {
    if (sessionId !== undefined) {
      this.#sessions.get(sessionId)?.connection?.sendControl(7, null);
      return;
    }
    for (const connection of this.#connections) connection.sendControl(7, null);
  }

  /** True once `drain()` was called: new connections are refused and sessions are being moved away. */
  get draining(): boolean {
    return this.#drainRun !== null;
  }

  /**
   * Drains this node for a shutdown or restart. Upgrades are refused from now on (HTTP 503: a load balancer can retry
   * another node before any WebSocket exists), op 7 Reconnect goes out in waves, and it resolves once every session
   * has left and its state is confirmed in the session store; then (unless `close: false`) the server and its broker
   * are closed. Clients resume where `resume_gateway_url` leads them: another node, when the session store is shared.
   * A second call returns the same run.
   */
  drain(options: DrainOptions = {}): Promise<DrainStats> {
    if (this.#closed) return Promise.reject(new GatewayServerError('CLOSED', 'server is closed'));
    if (this.#drainRun === null) {
      try {
        checkDrainOptions(options);
      } catch (error) {
        return Promise.reject(error);
      }
      this.#drainRun = this.#runDrain(options);
    }
    return this.#drainRun;
  }

  async #runDrain(options: DrainOptions): Promise<DrainStats> {
    const started = Date.now();
    const deadline = started + (options.timeoutMs ?? 30_000);
    const interval = options.waveIntervalMs ?? 500;
    const sessions = this.#sessions.size;
    // Identified connections first (they carry the sessions); those still identifying go last.
    const queue = [...this.#connections].sort((a, b) => Number(b.session !== null) - Number(a.session !== null));
    const size = resolveWaveSize(options.waveSize, queue.length);
    const perWave: number[] = [];
    const report = (phase: 'wave' | 'done', reconnects: number): void => {
      const pending = this.#drainPending();
      this.metrics?.draining?.(phase === 'done' ? 0 : pending);
      options.onProgress?.({ phase, wave: perWave.length, reconnects, queued: queue.length, pending });
    };
    this.metrics?.draining?.(this.#drainPending());
    while (queue.length > 0 && Date.now() < deadline) {
      let sent = 0;
      for (const connection of queue.splice(0, size)) {
        if (connection.closed) continue;
        connection.sendControl(7, null);
        sent++;
      }
      perWave.push(sent);
      report('wave', sent);
      if (queue.length > 0) await sleep(Math.min(interval, deadline - Date.now()));
    }
    await waitUntil(() => this.#connections.size === 0 && this.#drainPending() === 0, deadline);
    // Out of time: whoever is still here is closed with a resumable code, so the session is handed over all the same.
    let forced = 0;
    for (const connection of this.#connections) {
      if (connection.closed) continue;
      connection.close(CloseCode.UnknownError, 'reconnect', 1000);
      forced++;
    }
    // A closed socket detaches its session on 'close' (the peer's answer, or the terminate after 1 s).
    await waitUntil(() => this.#connections.size === 0 && this.#drainPending() === 0, Date.now() + 2000);
    // With a resume store every dispatch a client saw is journaled first: wait for the last commit to land in it.
    if (this.#journal !== undefined) {
      await Promise.race([this.#journal.flushed(), sleep(Math.max(2000, deadline - Date.now()))]);
    }
    report('done', 0);
    const unsaved = this.#saving.size;
    const stats: DrainStats = { sessions, waves: perWave.length, perWave, forced, unsaved, durationMs: 0 };
    if (options.close !== false) {
      this.#handedOver = true;
      await this.close();
      await this.broker.close?.();
    }
    stats.durationMs = Date.now() - started;
    return stats;
  }

  /** Sessions still attached here, or detached with their store write not yet confirmed. */
  #drainPending(): number {
    let pending = 0;
    for (const session of this.#sessions.values()) if (session.connection !== null) pending++;
    for (const state of this.#saving.values()) if (state === 'pending') pending++;
    return pending;
  }

  /** Sends op 9 Invalid Session; `resumable: false` also ends the session. */
  invalidateSession(sessionId: string, resumable = false): void {
    const session = this.#sessions.get(sessionId);
    if (!session) return;
    const connection = session.connection;
    connection?.sendControl(9, resumable);
    if (!resumable) this.#destroy(session);
  }

  /** Asks a session's client for an immediate heartbeat (op 1 from the server). */
  requestHeartbeat(sessionId: string): void {
    const connection = this.#sessions.get(sessionId)?.connection;
    if (!connection) return;
    connection.heartbeatRequested = true;
    connection.sendControl(1, null);
  }

  /**
   * A user joined a guild after identifying: its sessions on the guild's shard start receiving the guild's events
   * and get a GUILD_CREATE.
   */
  async addGuildMember(guildId: Snowflake, userId: Snowflake): Promise<void> {
    const sessions = this.#userSessions.get(userId);
    if (!sessions) return;
    const snapshot = await this.directory.guild(guildId);
    if (!snapshot) return;
    for (const session of sessions) {
      if (session.destroyed || session.guilds.has(guildId)) continue;
      if (shardOf(guildId, session.shard[1]) !== session.shard[0]) continue;
      this.#joinGuild(session, guildId);
      session.send(PreparedDispatch.forOne('GUILD_CREATE', buildGuildCreate(snapshot, session)), true);
    }
  }

  /** A user left (or was removed from) a guild: its sessions get GUILD_DELETE and no more events of it. */
  removeGuildMember(guildId: Snowflake, userId: Snowflake): void {
    const sessions = this.#userSessions.get(userId);
    if (!sessions) return;
    for (const session of sessions) {
      if (!session.guilds.has(guildId)) continue;
      this.#leaveGuild(session, guildId);
      session.send(PreparedDispatch.forOne('GUILD_DELETE', { id: guildId }), true);
    }
  }

  /** Closes every connection (1001), stops the sweep, and closes the HTTP server if this server created it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#offVoiceMove?.();
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    this.#http.off('upgrade', this.#onUpgrade);
    for (const connection of this.#connections) {
      connection.close(1001, 'server shutting down', 500);
    }
    const waitClosed = [...this.#connections].map(
      (c) =>
        new Promise<void>((resolve) =>
          c.ws.readyState === c.ws.CLOSED ? resolve() : c.ws.once('close', () => resolve()),
        ),
    );
    await Promise.race([Promise.all(waitClosed), new Promise((r) => setTimeout(r, 1000).unref())]);
    for (const connection of this.#connections) connection.ws.terminate();
    for (const session of [...this.#sessions.values()]) this.#destroy(session, false);
    // What is journaled so far reaches the resume store before the node goes (sessions left there resume elsewhere).
    await this.#journal?.close();
    if (this.sessionStore instanceof InMemorySessionStore) this.sessionStore.clear();
    this.#wss.close();
    if (this.#ownsHttp && this.#http.listening) {
      await new Promise<void>((resolve) => {
        this.#http.close(() => resolve());
        (this.#http as HttpServer).closeAllConnections?.();
      });
    }
  }

  // ── connection lifecycle ────────────────────────────────────────────────────────────────────────────────────

  readonly #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = req.url ?? '/';
    const path = this.#options.path;
    const ours = path === undefined || url.split('?')[0] === path;
    if (!wantsWebSocket(req)) {
      // `Upgrade: h2c` and the like: an ordinary HTTP/1.1 request for the request handlers (issue #13). Left to the
      // other upgrade listeners when it is not on our path and there are some.
      if (ours || this.#http.listenerCount('upgrade') === 1) serveWithoutUpgrade(this.#http, req, socket, head);
      return;
    }
    if (!ours) {
      // Attached to someone else's server: another upgrade listener may own this path.
      if (this.#ownsHttp) rejectUpgrade(socket, 404, 'Not Found');
      return;
    }
    if (this.#closed || this.#drainRun !== null) {
      rejectUpgrade(socket, 503, 'Service Unavailable');
      return;
    }
    let encoding: Encoding;
    let compression: CompressionLabel = 'none';
    let version = GATEWAY_VERSION;
    let versionError = false;
    try {
      // zstd-stream needs a zstd streaming context per connection (node:zlib's, or zstd-napi's on Node 20): without
      // one we refuse it at the upgrade (HTTP 400), like an unknown encoding, rather than accept a connection we
      // cannot serve.
      const query = parseGatewayQuery(url, { compressions: zstdAvailable() ? ZLIB_AND_ZSTD : ZLIB_ONLY });
      encoding = getEncoding(query.encoding);
      version = query.version;
      if (query.compress !== null) compression = query.compress;
    } catch (error) {
      if (error instanceof GatewayQueryError && error.closeCode !== null) {
        versionError = true;
        encoding = getEncoding('json');
      } else {
        rejectUpgrade(socket, 400, error instanceof Error ? error.message : 'bad request');
        return;
      }
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      if (versionError) {
        ws.close(CloseCode.InvalidAPIVersion, 'Invalid API version');
        return;
      }
      this.#onConnection(ws, req, encoding, compression, version);
    });
  };

  #onConnection(
    ws: WebSocket,
    req: IncomingMessage,
    encoding: Encoding,
    compression: CompressionLabel,
    version: number,
  ): void {
    const shared = compression === 'zlib-stream' && this.#options.zlibStream !== 'per-connection';
    let compressor: FrameCompressor | null = null;
    if (compression === 'zlib-stream' && !shared) compressor = createZlibStreamDeflater({ level: this.zlibLevel });
    // One zstd stream per connection, each message a flushed block (ZSTD_e_flush), as Discord sends zstd-stream.
    if (compression === 'zstd-stream') compressor = createZstdStreamDeflater();
    const connection = new Connection({
      ws,
      encoding,
      compression,
      version,
      compressor,
      sharedZlib: shared,
      host: this,
      origin: req.headers.host ?? this.#hostFallback(),
      remoteAddress: req.socket.remoteAddress ?? '',
      now: Date.now(),
    });
    this.#connections.add(connection);
    this.metrics?.connectionOpened(encoding.name, compression);
    ws.on('message', (data, isBinary) => this.#onMessage(connection, data, isBinary));
    ws.on('close', (code) => this.#onClose(connection, code));
    ws.on('error', (error) => this.#logger?.debug('socket error', { error: error.message }));
    connection.sendControl(10, { heartbeat_interval: this.#o.heartbeatInterval });
  }

  #hostFallback(): string {
    try {
      const { port } = this.address();
      return `127.0.0.1:${port}`;
    } catch {
      return 'localhost';
    }
  }

  #onClose(connection: Connection, code: number): void {
    this.#connections.delete(connection);
    connection.dispose();
    this.metrics?.connectionClosed(connection.closeCode ?? code, connection.encoding.name, connection.compression);
    const session = connection.session;
    if (!session) return;
    connection.session = null;
    if (session.connection === connection) session.connection = null;
    const sent = connection.closeCode;
    const keep = sent !== null ? closeKeepsSession(sent) : code !== 1000 && code !== 1001;
    if (keep && !this.#closed) this.#detach(session);
    else this.#destroy(session);
  }

  /** ConnectionHost: a socket's buffer passed `maxBufferedBytes`. */
  onBackpressure(connection: Connection): void {
    if (connection.closed) return;
    this.#logger?.warn('closing slow connection', {
      bufferedAmount: connection.ws.bufferedAmount,
      sessionId: connection.session?.sessionId,
    });
    this.metrics?.backpressureClose?.();
    const session = connection.session;
    if (session) {
      // Detach first: what arrives from now on goes to the replay buffer only, for the Resume that follows.
      connection.session = null;
      session.connection = null;
      this.#detach(session);
    }
    connection.close(CloseCode.UnknownError, 'send buffer full', 1000);
  }

  /** Nothing a client sends may throw out of the socket's message event (that would take the process down). */
  #onMessage(connection: Connection, raw: RawData, isBinary: boolean): void {
    try {
      this.#handleMessage(connection, raw, isBinary);
    } catch (error) {
      this.#internalError(connection, error);
    }
  }

  #handleMessage(connection: Connection, raw: RawData, isBinary: boolean): void {
    if (connection.closed) return;
    const now = Date.now();
    connection.lastSeen = now;
    connection.heartbeatRequested = false;
    const data = rawToBuffer(raw);
    this.metrics?.bytesReceived(data.length);
    if (data.length > this.#o.maxPayloadBytes) {
      connection.close(CloseCode.DecodeError, 'Payload too large');
      return;
    }
    const { commands, windowMs } = this.#o.rateLimit;
    if (now - connection.windowStart >= windowMs) {
      connection.windowStart = now;
      connection.commandCount = 0;
    }
    if (++connection.commandCount > commands) {
      this.metrics?.rateLimited?.('commands');
      connection.close(CloseCode.RateLimited, 'Rate limited');
      return;
    }
    if (connection.encoding.name === 'etf' && etfUsesAtomKeys(data)) {
      connection.close(CloseCode.DecodeError, 'ETF keys must be binaries');
      return;
    }
    let payload: unknown;
    try {
      // JSON keeps integers beyond 2^53 exact (clients may send snowflakes as numbers); other codecs already do.
      payload =
        connection.encoding.name === 'json'
          ? decodeJson(isBinary ? data : data.toString('utf8'), CLIENT_JSON)
          : connection.encoding.decode(isBinary || connection.encoding.binary ? data : data.toString('utf8'));
    } catch {
      connection.close(CloseCode.DecodeError, 'Decode error');
      return;
    }
    if (!isObject(payload) || typeof payload.op !== 'number') {
      connection.close(CloseCode.DecodeError, 'Decode error');
      return;
    }
    const { op, d } = payload;
    this.metrics?.command?.(op);
    switch (op) {
      case 1:
        connection.sendControl(11, null);
        if (typeof d === 'number' && Number.isSafeInteger(d)) connection.session?.replay.ackThrough(d);
        return;
      case 2:
        void this.#identify(connection, d);
        return;
      case 6:
        void this.#resume(connection, d);
        return;
      case 3:
      case 4:
      case 8:
      case 14:
      case 31:
      case 43:
        break;
      default:
        connection.close(CloseCode.UnknownOpcode, 'Unknown opcode');
        return;
    }
    const session = connection.session;
    if (!session) {
      connection.close(CloseCode.NotAuthenticated, 'Not authenticated');
      return;
    }
    switch (op) {
      case 3:
        this.#presenceUpdate(connection, session, d);
        return;
      case 4:
        void this.#voiceStateUpdate(connection, session, d).catch((error) => this.#internalError(connection, error));
        return;
      case 8:
        void this.#requestMembers(connection, session, d).catch((error) => this.#internalError(connection, error));
        return;
      case 14:
        if (!isObject(d)) {
          connection.close(CloseCode.DecodeError, 'Decode error');
          return;
        }
        if (this.#lazy) {
          Promise.resolve(this.#lazy.subscribe(session.info(), d)).catch((error) =>
            this.#internalError(connection, error),
          );
        }
        return;
      case 31:
        this.#requestSoundboardSounds(session, d);
        return;
      default:
        // op 43 Request Channel Info: accepted and not answered (no channel info to give beyond GUILD_CREATE).
        return;
    }
  }

  #internalError(connection: Connection, error: unknown): void {
    this.#logger?.error('internal error', { error: error instanceof Error ? error.stack : String(error) });
    connection.close(CloseCode.UnknownError, 'Unknown error');
  }

  // ── Identify / Resume ───────────────────────────────────────────────────────────────────────────────────────

  async #authenticate(connection: Connection, token: string): Promise<AuthenticatedUser | null | undefined> {
    return this.#options.authenticate(token.startsWith('Bot ') ? token.slice(4) : token, {
      remoteAddress: connection.remoteAddress,
    });
  }

  async #identify(connection: Connection, d: unknown): Promise<void> {
    if (connection.session || connection.authenticating) {
      connection.close(CloseCode.AlreadyAuthenticated, 'Already authenticated');
      return;
    }
    if (!isObject(d) || typeof d.token !== 'string') {
      connection.close(CloseCode.DecodeError, 'Invalid Identify payload');
      return;
    }
    // The same rules as op 3, checked before any work: an invalid presence is an invalid Identify.
    let presence: ValidPresence | undefined;
    if (d.presence !== undefined && d.presence !== null) {
      const checked = validatePresence(d.presence);
      if (!checked.ok) {
        connection.close(CloseCode.DecodeError, 'Invalid Identify payload');
        return;
      }
      presence = checked.presence;
    }
    // Before `authenticate`: failed attempts cost the server too (and may create users, with dev auth).
    if (this.#addressLimiter !== null && !this.#addressLimiter.take(connection.remoteAddress)) {
      this.metrics?.rateLimited?.('identify_address');
      connection.close(CloseCode.RateLimited, 'Rate limited');
      return;
    }
    connection.authenticating = true;
    try {
      const auth = await this.#authenticate(connection, d.token);
      if (connection.closed) return;
      if (!auth) {
        this.metrics?.identify('auth_failed');
        connection.close(CloseCode.AuthenticationFailed, 'Authentication failed');
        return;
      }
      const shard = parseShard(d.shard);
      if (!shard) {
        this.metrics?.identify('invalid_shard');
        connection.close(CloseCode.InvalidShard, 'Invalid shard');
        return;
      }
      if (auth.minShards !== undefined && shard[1] < auth.minShards) {
        this.metrics?.identify('invalid_shard');
        connection.close(CloseCode.ShardingRequired, 'Sharding required');
        return;
      }
      const allowed = this.#options.privilegedIntentsAllowed
        ? await this.#options.privilegedIntentsAllowed(auth.user)
        : true;
      if (connection.closed) return;
      const granted = allowed === true ? PRIVILEGED_INTENTS : allowed === false ? 0 : allowed & PRIVILEGED_INTENTS;
      let intents: number;
      try {
        intents = validateIntents(d.intents, { granted });
        // Before v10 Discord applies MESSAGE_CONTENT to an application allowed it without it being asked for.
        if (connection.version < 10) intents |= granted & Intent.MessageContent;
      } catch (error) {
        if (!(error instanceof IntentsError)) throw error;
        const disallowed = error.closeCode === CloseCode.DisallowedIntents;
        this.metrics?.identify(disallowed ? 'disallowed_intents' : 'invalid_intents');
        connection.close(error.closeCode, disallowed ? 'Disallowed intent(s)' : 'Invalid intent(s)');
        return;
      }
      const userId = auth.user.id;
      if ((await this.#startLimiter.get(userId)).remaining <= 0) {
        connection.sendControl(9, false);
        return;
      }
      // Bucket per application (user) and shard_id % max_concurrency; the throttle may be shared by every node.
      const bucket = `${userId}:${shard[0] % this.#o.maxConcurrency}`;
      if (await this.#throttle.wait(bucket, () => connection.closed)) this.metrics?.rateLimited?.('identify');
      if (connection.closed) return;
      if (!(await this.#startLimiter.consume(userId))) {
        connection.sendControl(9, false);
        return;
      }
      const guildIds = (await this.directory.guildsOf(userId)).filter((id) => shardOf(id, shard[1]) === shard[0]);
      const snapshots = await Promise.all(guildIds.map((id) => this.directory.guild(id)));
      if (connection.closed || this.#closed) return;

      const threshold = typeof d.large_threshold === 'number' ? d.large_threshold : this.#o.largeThreshold;
      const session = new Session({
        sessionId: randomBytes(16).toString('hex'),
        auth,
        intents,
        shard,
        largeThreshold: Math.min(250, Math.max(50, Math.trunc(threshold) || 50)),
        replayBufferSize: this.#o.replayBufferSize,
      });
      // Everything from here to the last GUILD_CREATE runs in one tick: no dispatch can come between them.
      if (d.compress === true && connection.encoding.name === 'json' && connection.compression === 'none') {
        connection.payloadCompression = true;
      }
      this.#register(session);
      const visible: GuildSnapshot[] = [];
      for (const snapshot of snapshots) {
        if (!snapshot) continue;
        this.#joinGuild(session, snapshot.id);
        visible.push(snapshot);
      }
      session.connection = connection;
      connection.session = session;
      connection.burst(() => {
        session.send(
          PreparedDispatch.forOne(
            'READY',
            serializeReady({
              v: connection.version,
              user: auth.user,
              guildIds: visible.map((g) => g.id),
              sessionId: session.sessionId,
              resumeGatewayUrl: this.#resumeUrl(connection),
              ...(d.shard !== undefined ? { shard } : {}),
              application: session.application,
            }),
          ),
          true,
        );
        for (const snapshot of visible) {
          session.send(PreparedDispatch.forOne('GUILD_CREATE', buildGuildCreate(snapshot, session)), true);
        }
      });
      this.metrics?.identify('ok');
      this.#logger?.debug('identified', { sessionId: session.sessionId, userId, shard, intents });
      if (presence !== undefined) this.#setPresence(session, presence);
    } catch (error) {
      this.metrics?.identify('error');
      this.#internalError(connection, error);
    } finally {
      connection.authenticating = false;
    }
  }

  #resumeUrl(connection: Connection): string {
    if (this.#options.resumeGatewayUrl) return this.#options.resumeGatewayUrl;
    const scheme = this.#http instanceof HttpsServer ? 'wss' : 'ws';
    return `${scheme}://${connection.origin}`;
  }

  async #resume(connection: Connection, d: unknown): Promise<void> {
    if (connection.session || connection.authenticating) {
      connection.close(CloseCode.AlreadyAuthenticated, 'Already authenticated');
      return;
    }
    if (
      !isObject(d) ||
      typeof d.token !== 'string' ||
      typeof d.session_id !== 'string' ||
      !(
        d.seq === null ||
        d.seq === undefined ||
        (typeof d.seq === 'number' && Number.isSafeInteger(d.seq) && d.seq >= 0)
      )
    ) {
      connection.close(CloseCode.DecodeError, 'Invalid Resume payload');
      return;
    }
    const seq = (d.seq as number | null | undefined) ?? 0;
    connection.authenticating = true;
    try {
      const auth = await this.#authenticate(connection, d.token);
      if (connection.closed) return;
      if (!auth) {
        connection.close(CloseCode.AuthenticationFailed, 'Authentication failed');
        return;
      }
      // Not an id this server could have made: no session to look for, here or in the resume store.
      if (!SESSION_ID.test(d.session_id)) {
        this.#invalidResume(connection);
        return;
      }
      const session = this.#sessions.get(d.session_id);
      if (this.#journal !== undefined && (!session || session.userId === auth.user.id)) {
        // The store is the truth: a copy held here may be stale (claimed by another node since) and misses what is
        // not committed yet. Drop it and claim like any node would (replay from the journal, gap from the histories).
        if (session && !session.destroyed) {
          const old = session.connection;
          this.#journal.release(session, false);
          this.#destroy(session, false);
          old?.close(CloseCode.UnknownError, 'Session resumed on another connection', 500);
        }
        await this.#resumeFromStore(connection, this.#journal, auth, d.session_id, seq);
        return;
      }
      if (!session || session.destroyed || session.userId !== auth.user.id) {
        this.#invalidResume(connection);
        return;
      }
      if (session.connection) {
        // The client came back before we noticed the old socket die (zombie): the new connection wins.
        const old = session.connection;
        old.session = null;
        session.connection = null;
        old.close(CloseCode.UnknownError, 'Session resumed on another connection', 500);
      } else {
        const taken = await this.sessionStore.take(session.sessionId);
        if (connection.closed) return;
        if (taken === undefined || session.destroyed || session.connection) {
          this.#invalidResume(connection);
          return;
        }
      }
      this.#detached.delete(session);
      if (seq > session.seq) {
        this.#destroy(session);
        this.metrics?.resume('invalid', 0);
        connection.close(CloseCode.InvalidSeq, 'Invalid seq');
        return;
      }
      const missed = session.replay.since(seq);
      if (!missed) {
        this.#destroy(session);
        this.#invalidResume(connection);
        return;
      }
      session.connection = connection;
      connection.session = session;
      connection.burst(() => {
        for (const entry of missed) connection.sendDispatch(entry.dispatch, entry.full, entry.seq);
        session.send(PreparedDispatch.forOne('RESUMED', {}), true);
      });
      this.metrics?.resume('ok', missed.length);
      this.#logger?.debug('resumed', { sessionId: session.sessionId, replayed: missed.length });
    } catch (error) {
      this.#internalError(connection, error);
    } finally {
      connection.authenticating = false;
    }
  }

  /**
   * Resume of a session another node held: claim it (its old holder is fenced out), replay its journal after the
   * client's seq, then fill the gap — what its topics carried while no node served it — from the topic histories,
   * filtered as live delivery would, with new seqs; live messages meanwhile wait and are deduplicated by stream id.
   * Anything needed that the store no longer has means op 9, never a silent gap.
   */
  async #resumeFromStore(
    connection: Connection,
    journal: SessionJournal,
    auth: AuthenticatedUser,
    sessionId: string,
    seq: number,
  ): Promise<void> {
    if (this.#claiming.has(sessionId)) {
      this.#invalidResume(connection);
      return;
    }
    this.#claiming.add(sessionId);
    const store = journal.store;
    let session: Session | undefined;
    const refuse = (gen: number): void => {
      if (session && !session.destroyed) {
        journal.release(session, false);
        this.#destroy(session, false);
      }
      Promise.resolve(store.remove(sessionId, gen)).catch(() => undefined);
      this.#invalidResume(connection);
    };
    try {
      const claimed = await store.claim(sessionId, auth.user.id, journal.ttlMs).catch((error: unknown) => {
        this.#logger?.warn('resume claim failed', { sessionId, error: String(error) });
        return null;
      });
      if (connection.closed || this.#closed) return;
      if (!claimed || claimed.record.user.id !== auth.user.id) {
        this.#invalidResume(connection);
        return;
      }
      const { record, entries, gen } = claimed;
      const last = entries.at(-1)?.seq ?? 0;
      if (seq > last) {
        Promise.resolve(store.remove(sessionId, gen)).catch(() => undefined);
        this.metrics?.resume('invalid', 0);
        connection.close(CloseCode.InvalidSeq, 'Invalid seq');
        return;
      }
      // The journal was trimmed past the client's seq: it cannot be replayed.
      if (entries.length === 0 || entries[0]!.seq > seq + 1) {
        refuse(gen);
        return;
      }
      const missed = entries.filter((entry) => entry.seq > seq);
      const refs = missed.flatMap((entry) => (entry.kind === 'ref' ? [{ topic: entry.topic, id: entry.id }] : []));
      const fetched = await store.fetch(refs);
      if (connection.closed) return;
      if (fetched.some((message) => message === null)) {
        refuse(gen);
        return;
      }
      let next = 0;
      const replay: ReplayEntry[] = missed.map((entry) => {
        if (entry.kind === 'inline') {
          return { seq: entry.seq, full: entry.full, dispatch: PreparedDispatch.forOne(entry.event, entry.data) };
        }
        const message = fetched[next++]!;
        return {
          seq: entry.seq,
          full: entry.full,
          dispatch: new PreparedDispatch(message.event, message.data, message.createdAt),
        };
      });

      session = new Session({
        sessionId,
        auth: { user: auth.user, application: record.application },
        intents: record.intents,
        shard: record.shard,
        largeThreshold: record.largeThreshold,
        replayBufferSize: this.#o.replayBufferSize,
      });
      session.seq = last;
      session.gen = gen;
      session.sentSeq = seq;
      session.cursors = new Map(claimed.cursors);
      session.presence = record.presence ?? undefined;
      if (record.voice.length > 0) session.voice = new Map(record.voice);
      session.pending = [];
      for (const entry of replay) session.replay.push(entry);
      const topics = [`session:${sessionId}`, `user:${auth.user.id}`, ...record.guilds.map((id) => `guild:${id}`)];
      // A topic without a cursor: the old node died before it knew where the session started there.
      if (topics.some((topic) => !session!.cursors!.has(topic))) {
        refuse(gen);
        return;
      }
      const from = topics.map((topic) => session!.cursors!.get(topic)!);
      journal.attach(session, false);
      this.#register(session);
      for (const guildId of record.guilds) this.#joinGuild(session, guildId);
      // Subscribed (live messages now wait in `pending`) before the histories are read: nothing falls between.
      await this.#brokerReady();
      const tails = await Promise.all(
        topics.map((topic, i) => store.readAfter(topic, from[i]!, this.#o.resumeGapLimit)),
      );
      if (this.#abandoned(connection, journal, session)) return;
      if (tails.some((tail) => tail === null)) {
        refuse(gen);
        return;
      }
      const upper = new Map<string, string>();
      const gap: { dispatch: PreparedDispatch; full: boolean; position: { topic: string; id: string } }[] = [];
      // Already journaled although past the cursor (an async directory decided a delivery in an earlier commit than
      // the cursor's): sent once already, with its seq.
      const journaled = new Set(entries.flatMap((e) => (e.kind === 'ref' ? [`${e.topic} ${e.id}`] : [])));
      for (let i = 0; i < topics.length; i++) {
        const topic = topics[i]!;
        let until = from[i]!;
        for (const message of tails[i]!) {
          const position = message.position!;
          until = maxStreamId(until, position.id);
          if (journaled.has(`${topic} ${position.id}`)) continue;
          const full = await this.#wants(session, message);
          if (full === null) continue;
          gap.push({ dispatch: new PreparedDispatch(message.event, message.data, message.createdAt), full, position });
        }
        upper.set(topic, until);
      }
      if (this.#abandoned(connection, journal, session)) return;
      // Across topics, stream ids follow the Redis clock: the best global order there is.
      gap.sort((a, b) => compareStreamIds(a.position.id, b.position.id));

      session.connection = connection;
      connection.session = session;
      for (const entry of replay) journal.replay(session, entry.seq, entry.dispatch, entry.full);
      for (const item of gap) session.send(item.dispatch, item.full, item.position);
      const pending = session.pending;
      session.pending = null;
      session.catchUp = upper;
      for (const item of pending) {
        if (item.position !== undefined && caughtUp(session, item.position)) continue;
        session.send(item.dispatch, item.full, item.position);
        if (item.position !== undefined) journal.advance(session, item.position.topic, item.position.id);
      }
      for (const [topic, id] of upper) journal.advance(session, topic, id);
      session.send(PreparedDispatch.forOne('RESUMED', {}), true);
      this.metrics?.resume('ok', replay.length + gap.length);
      this.#logger?.debug('resumed from store', { sessionId, replayed: replay.length, gap: gap.length });
    } catch (error) {
      if (session && !session.destroyed) {
        journal.release(session, false);
        this.#destroy(session, false);
      }
      this.#internalError(connection, error);
    } finally {
      this.#claiming.delete(sessionId);
    }
  }

  /**
   * A resume from the store that cannot go on: the client left (the claim stands and nothing was committed, so a
   * later Resume claims it again), or another node claimed the session meanwhile (its first commit here was fenced).
   */
  #abandoned(connection: Connection, journal: SessionJournal, session: Session): boolean {
    if (!connection.closed && !session.destroyed) return false;
    if (!session.destroyed) {
      journal.release(session, false);
      this.#destroy(session, false);
    } else if (!connection.closed) this.#invalidResume(connection);
    return true;
  }

  /**
   * Whether a message from a topic history is for this session, as live delivery decides it (same target, intent and
   * visibility rules as `#onBrokerMessage`): null = not for it, else whether it may read the content.
   */
  async #wants(session: Session, message: BrokerMessage): Promise<boolean | null> {
    if (message.intent !== null && (session.intents & message.intent) === 0) return null;
    const target = message.target;
    let ok: boolean;
    switch (target.type) {
      case 'guild':
        ok = session.guilds.has(target.guildId);
        break;
      case 'channel':
        ok =
          session.guilds.has(target.guildId) &&
          (await this.directory.canView(session.userId, target.guildId, target.channelId));
        break;
      case 'users': {
        const shard = target.guildId === undefined ? 0 : shardOf(target.guildId, session.shard[1]);
        ok = target.userIds.includes(session.userId) && session.shard[0] === shard;
        break;
      }
      case 'session':
        ok = target.sessionId === session.sessionId;
        break;
    }
    if (!ok) return null;
    return !carriesMessageContent(message.event) || mayReadContent(message.data, session.userId, session.intents);
  }

  #createJournal(store: ResumeStore): SessionJournal {
    const journal: SessionJournal = new SessionJournal({
      store,
      resumeTtl: this.#o.resumeTtl,
      maxEntries: this.#o.replayBufferSize,
      host: {
        onLost: (session, reason) => {
          if (session.destroyed) return;
          const connection = session.connection;
          // Not removed from the store: another node holds it now (fenced), or it is to be resumed (failed).
          journal.release(session, false);
          this.#destroy(session, false);
          if (connection === null || connection.closed) return;
          this.#logger?.debug('session lost to the resume store', { sessionId: session.sessionId, reason });
          if (reason === 'fenced') connection.sendControl(9, false);
          else connection.close(CloseCode.UnknownError, 'Session store unavailable');
        },
        onError: (message, error) => this.#logger?.error(message, { error: String(error) }),
        brokerReady: () => this.#brokerReady(),
      },
    });
    return journal;
  }

  #brokerReady(): Promise<void> {
    const ready = (this.broker as { ready?: () => Promise<void> }).ready;
    return typeof ready === 'function' ? ready.call(this.broker) : Promise.resolve();
  }

  /** Every session of this node listening to the topic has accounted for the message (delivered or filtered). */
  #advanceCursors(journal: SessionJournal, position: StreamPosition, undecided?: Promise<unknown>): void {
    const { topic, id } = position;
    journal.seen(topic, id);
    // Once a message of the topic waits on an async directory, the topic's later advances queue behind it: a cursor
    // passes a message only when every delivery of it is journaled (or refused).
    const held = this.#cursorHolds.get(topic);
    if (undecided !== undefined || held !== undefined) {
      const next = (held ?? Promise.resolve())
        .then(() => undecided)
        .then(() => this.#advanceListeners(journal, topic, id));
      this.#cursorHolds.set(topic, next);
      void next.finally(() => {
        if (this.#cursorHolds.get(topic) === next) this.#cursorHolds.delete(topic);
      });
      return;
    }
    this.#advanceListeners(journal, topic, id);
  }

  #advanceListeners(journal: SessionJournal, topic: string, id: string): void {
    const colon = topic.indexOf(':');
    const key = topic.slice(colon + 1);
    let sessions: Iterable<Session> | undefined;
    if (topic.startsWith('guild:')) sessions = this.#guildSessions.get(key);
    else if (topic.startsWith('user:')) sessions = this.#userSessions.get(key);
    else if (topic.startsWith('session:')) {
      const session = this.#sessions.get(key);
      sessions = session ? [session] : undefined;
    }
    if (!sessions) return;
    for (const session of sessions) {
      if (session.pending === null && !session.destroyed) journal.advance(session, topic, id);
    }
  }

  #invalidResume(connection: Connection): void {
    this.metrics?.resume('invalid', 0);
    connection.sendControl(9, false);
  }

  // ── session registry ────────────────────────────────────────────────────────────────────────────────────────

  #subscribe(topic: string): void {
    const result = this.broker.subscribe(topic, this.#onBrokerMessage);
    if (isThenable(result))
      Promise.resolve(result).catch((e) => this.#logger?.error('subscribe failed', { topic, error: String(e) }));
  }

  #unsubscribe(topic: string): void {
    this.#journal?.forget(topic);
    const result = this.broker.unsubscribe(topic, this.#onBrokerMessage);
    if (isThenable(result)) Promise.resolve(result).catch(() => undefined);
  }

  #addTo(map: Map<Snowflake, Set<Session>>, key: Snowflake, session: Session, topic: string): void {
    let set = map.get(key);
    if (!set) {
      set = new Set();
      map.set(key, set);
      this.#subscribe(topic);
    }
    set.add(session);
  }

  #removeFrom(map: Map<Snowflake, Set<Session>>, key: Snowflake, session: Session, topic: string): void {
    const set = map.get(key);
    if (!set) return;
    set.delete(session);
    if (set.size === 0) {
      map.delete(key);
      this.#unsubscribe(topic);
    }
  }

  #register(session: Session): void {
    this.#sessions.set(session.sessionId, session);
    this.#subscribe(`session:${session.sessionId}`);
    this.#addTo(this.#userSessions, session.userId, session, `user:${session.userId}`);
    const journal = this.#journal;
    if (journal !== undefined) {
      if (session.journal === undefined) journal.attach(session, true);
      journal.track(session, `session:${session.sessionId}`);
      journal.track(session, `user:${session.userId}`);
    }
  }

  #joinGuild(session: Session, guildId: Snowflake): void {
    session.guilds.add(guildId);
    this.#addTo(this.#guildSessions, guildId, session, `guild:${guildId}`);
    if (this.#journal !== undefined) {
      this.#journal.track(session, `guild:${guildId}`);
      this.#journal.touch(session);
    }
  }

  #leaveGuild(session: Session, guildId: Snowflake): void {
    session.guilds.delete(guildId);
    this.#removeFrom(this.#guildSessions, guildId, session, `guild:${guildId}`);
    if (this.#journal !== undefined) {
      // A later rejoin starts from the head of that time, not from this stale cursor.
      session.cursors?.delete(`guild:${guildId}`);
      this.#journal.touch(session);
    }
  }

  #detach(session: Session): void {
    if (session.destroyed) return;
    session.detachedAt = Date.now();
    this.#detached.add(session);
    // drain() waits on this: a session has left safely only once the store has it.
    this.#saving.set(session, 'pending');
    const saved = (ok: boolean): void => {
      if (this.#saving.get(session) !== 'pending') return;
      if (ok) this.#saving.delete(session);
      else this.#saving.set(session, 'failed');
    };
    try {
      const result = this.sessionStore.save(session.sessionId, session, this.#o.resumeTtl);
      if (isThenable(result)) {
        Promise.resolve(result).then(
          () => saved(true),
          (e) => {
            saved(false);
            this.#logger?.error('session save failed', { error: String(e) });
          },
        );
      } else saved(true);
    } catch (error) {
      saved(false);
      this.#logger?.error('session save failed', { error: String(error) });
    }
  }

  /** Ends a session for good: unsubscribes, leaves voice, goes offline. */
  #destroy(session: Session, announce = true): void {
    if (session.destroyed) return;
    session.destroyed = true;
    // Ended for good: out of the resume store too. Otherwise (server closing) it stays there to resume elsewhere.
    this.#journal?.release(session, announce);
    this.#sessions.delete(session.sessionId);
    this.#detached.delete(session);
    this.#unsubscribe(`session:${session.sessionId}`);
    this.#removeFrom(this.#userSessions, session.userId, session, `user:${session.userId}`);
    const guilds = [...session.guilds];
    for (const guildId of guilds) this.#leaveGuild(session, guildId);
    const connection = session.connection;
    session.connection = null;
    if (connection) connection.session = null;
    // After a drain the detached sessions live on in the (shared) store for another node to resume.
    if (!this.#handedOver || this.#saving.get(session) === 'failed') {
      Promise.resolve(this.sessionStore.delete(session.sessionId)).catch(() => undefined);
    }
    this.#saving.delete(session);
    this.#lazy?.unsubscribe(session.sessionId);
    if (announce) {
      for (const [guildId, channelId] of session.voice ?? []) {
        void this.#leaveVoice(session, guildId, channelId).catch(() => undefined);
      }
      if (!this.#userSessions.has(session.userId)) this.#lastSessionEnded(session, guilds);
    }
    session.replay.clear();
  }

  // ── commands ────────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * The user's last session on this node ended for good: the directory forgets their presence (a later GUILD_CREATE
   * must not show a gone user as online/dnd), and whoever saw a presence from here is told they are offline.
   */
  #lastSessionEnded(session: Session, guilds: Snowflake[]): void {
    const userId = session.userId;
    const offline: PresenceData = { user: { id: userId }, status: 'offline', activities: [], client_status: {} };
    this.#recordPresence(userId, offline);
    if (this.#presenceAnnounced.delete(userId) || session.presence) this.#broadcastPresence(userId, guilds, offline);
  }

  #recordPresence(userId: Snowflake, presence: PresenceData): void {
    try {
      const result = this.directory.setPresence?.(userId, presence);
      if (result && isThenable(result)) {
        Promise.resolve(result).catch((error) => this.#logger?.error('setPresence failed', { error: String(error) }));
      }
    } catch (error) {
      this.#logger?.error('setPresence failed', { error: String(error) });
    }
  }

  /** op 3: anything but Discord's shape closes with 4002; what is relayed is rebuilt from the checked fields. */
  #presenceUpdate(connection: Connection, session: Session, d: unknown): void {
    const checked = validatePresence(d);
    if (!checked.ok) {
      connection.close(CloseCode.DecodeError, 'Invalid presence');
      return;
    }
    this.#setPresence(session, checked.presence);
  }

  #setPresence(session: Session, valid: ValidPresence): void {
    const status = valid.status === 'invisible' ? 'offline' : valid.status;
    const presence: PresenceData = {
      user: { id: session.userId },
      status,
      // Stamped once (id, created_at) so every later copy of this presence shows the same activity.
      activities: valid.activities.map((a) => serializeActivity(a, Date.now())),
      client_status: status === 'offline' ? {} : { desktop: status },
    };
    session.presence = presence;
    this.#presenceAnnounced.add(session.userId);
    this.#journal?.touch(session);
    this.#recordPresence(session.userId, { ...presence, status: valid.status });
    this.#broadcastPresence(session.userId, [...session.guilds], presence);
  }

  #broadcastPresence(_userId: Snowflake, guilds: Snowflake[], presence: PresenceData): void {
    for (const guildId of guilds) {
      this.dispatchToGuild(guildId, 'PRESENCE_UPDATE', serializePresence(presence, guildId));
      try {
        this.#lazy?.presenceUpdated(guildId, presence);
      } catch (error) {
        this.#logger?.error('member list presence update failed', { guildId, error: String(error) });
      }
    }
  }

  async #voiceStateUpdate(connection: Connection, session: Session, d: unknown): Promise<void> {
    const guildId = isObject(d) ? readSnowflake(d.guild_id) : null;
    const channelId = isObject(d) && d.channel_id !== null ? readSnowflake(d.channel_id) : null;
    if (
      !isObject(d) ||
      guildId === null ||
      (d.channel_id !== null && channelId === null) ||
      typeof d.self_mute !== 'boolean' ||
      typeof d.self_deaf !== 'boolean'
    ) {
      connection.close(CloseCode.DecodeError, 'Invalid voice state');
      return;
    }
    // Discord ignores voice requests for guilds the session does not have.
    if (!session.guilds.has(guildId)) return;
    const previous = session.voice?.get(guildId);
    // A voice or stage channel of this guild, with VIEW_CHANNEL and CONNECT; otherwise ignored, as Discord does.
    const access = channelId === null ? null : await voiceAccess(this.directory, session.userId, guildId, channelId);
    if (channelId !== null && access === null) return;
    const [member] = await this.directory.members(guildId, { limit: 1, userIds: [session.userId] });
    if (session.destroyed) return;
    const state: VoiceStateData = {
      guild_id: guildId,
      channel_id: channelId,
      user_id: session.userId,
      ...(member ? { member } : {}),
      session_id: session.sessionId,
      deaf: false,
      mute: false,
      self_deaf: d.self_deaf,
      self_mute: d.self_mute,
      self_video: d.self_video === true,
      // Without SPEAK (or on a stage) the member is in the channel but may not speak (see voiceAccess.ts).
      suppress: access?.suppress ?? false,
      request_to_speak_timestamp: null,
    };
    await this.directory.setVoiceState?.(guildId, state);
    if (session.destroyed) return;
    if (channelId === null) session.voice?.delete(guildId);
    else {
      session.voice ??= new Map();
      session.voice.set(guildId, channelId);
    }
    // Part of the shared record: a session resumed on another node still gets VOICE_SERVER_UPDATE on a voice failover.
    this.#journal?.touch(session);
    this.dispatchToGuild(guildId, 'VOICE_STATE_UPDATE', serializeVoiceState(state));
    if (channelId === null) {
      if (previous !== undefined) {
        await this.voiceAllocator.release?.({ guildId, userId: session.userId, sessionId: session.sessionId });
      }
      return;
    }
    await this.#sendVoiceServer(session, guildId, channelId);
  }

  /** Allocates a voice server for a session in a voice channel and sends it VOICE_SERVER_UPDATE. */
  async #sendVoiceServer(session: Session, guildId: Snowflake, channelId: Snowflake): Promise<void> {
    const allocation = await this.voiceAllocator.allocate({
      guildId,
      channelId,
      userId: session.userId,
      sessionId: session.sessionId,
    });
    // The session may have left or moved channel while the allocator was thinking.
    if (session.destroyed || session.voice?.get(guildId) !== channelId) return;
    session.send(
      PreparedDispatch.forOne('VOICE_SERVER_UPDATE', {
        token: allocation.token,
        guild_id: guildId,
        endpoint: allocation.endpoint,
      }),
      true,
    );
  }

  /**
   * Sends a new VOICE_SERVER_UPDATE (fresh allocation) to every session of this node in a voice channel: what follows
   * a voice node failover (called for the allocator's `onMove`). Detached sessions get it on resume. Returns how many
   * sessions were sent one.
   */
  async reallocateVoice(guildId: Snowflake, channelId: Snowflake): Promise<number> {
    const sessions = [...(this.#guildSessions.get(guildId) ?? [])].filter(
      (s) => !s.destroyed && s.voice?.get(guildId) === channelId,
    );
    await Promise.all(sessions.map((session) => this.#sendVoiceServer(session, guildId, channelId)));
    return sessions.length;
  }

  async #leaveVoice(session: Session, guildId: Snowflake, _channelId: Snowflake): Promise<void> {
    const state: VoiceStateData = {
      guild_id: guildId,
      channel_id: null,
      user_id: session.userId,
      session_id: session.sessionId,
      deaf: false,
      mute: false,
      self_deaf: false,
      self_mute: false,
      self_video: false,
      suppress: false,
    };
    await this.directory.setVoiceState?.(guildId, state);
    this.dispatchToGuild(guildId, 'VOICE_STATE_UPDATE', serializeVoiceState(state));
    await this.voiceAllocator.release?.({ guildId, userId: session.userId, sessionId: session.sessionId });
  }

  async #requestMembers(connection: Connection, session: Session, d: unknown): Promise<void> {
    if (!isObject(d)) {
      connection.close(CloseCode.DecodeError, 'Invalid Request Guild Members');
      return;
    }
    const result = await this.#memberRequests.handle(session.info(), d as never);
    if (session.destroyed) return;
    if (result.type === 'close') {
      if (connection.session === session) connection.close(result.code, result.reason);
      return;
    }
    for (const event of result.events) {
      if (event.t === 'RATE_LIMITED') this.metrics?.rateLimited?.('member_request');
      session.send(PreparedDispatch.forOne(event.t, event.d), true);
    }
  }

  #requestSoundboardSounds(session: Session, d: unknown): void {
    const ids = isObject(d) && Array.isArray(d.guild_ids) ? d.guild_ids : [];
    // Once per guild: a list repeating one id must not turn one command into a hundred dispatches.
    for (const id of new Set(ids.slice(0, 100).map(readSnowflake))) {
      if (id !== null && session.guilds.has(id)) {
        session.send(PreparedDispatch.forOne('SOUNDBOARD_SOUNDS', { guild_id: id, soundboard_sounds: [] }), true);
      }
    }
  }

  // ── liveness ────────────────────────────────────────────────────────────────────────────────────────────────

  #startSweep(): void {
    if (this.#sweepTimer) return;
    const tick = Math.max(5, Math.min(this.#o.heartbeatInterval, this.#o.identifyTimeout) / 8);
    this.#sweepTimer = setInterval(() => this.#sweep(), tick);
    this.#sweepTimer.unref();
  }

  #sweep(): void {
    const now = Date.now();
    const interval = this.#o.heartbeatInterval;
    const timeout = interval * this.#o.heartbeatTimeoutFactor;
    for (const connection of this.#connections) {
      if (connection.closed) continue;
      // Counted from the open, also while an Identify waits in the throttle's queue or `authenticate` is slow.
      if (!connection.session && now - connection.openedAt > this.#o.identifyTimeout) {
        connection.close(CloseCode.SessionTimedOut, 'Identify timed out');
        continue;
      }
      const silent = now - connection.lastSeen;
      if (silent > timeout) connection.close(CloseCode.SessionTimedOut, 'Heartbeat timed out');
      else if (silent > interval * 1.25 && !connection.heartbeatRequested) {
        connection.heartbeatRequested = true;
        connection.sendControl(1, null);
      }
    }
    for (const session of this.#detached) {
      if (now - session.detachedAt > this.#o.resumeTtl) this.#destroy(session);
    }
    this.#throttle.prune?.(now);
    this.#addressLimiter?.prune(now);
    this.#startLimiter.prune?.(now);
    this.metrics?.sessions(this.#sessions.size - this.#detached.size, this.#detached.size);
  }
}

/** True when a cross-node resume already sent this message from the history; the topic's catch-up ends past it. */
function caughtUp(session: Session, position: StreamPosition): boolean {
  const catchUp = session.catchUp!;
  const until = catchUp.get(position.topic);
  if (until === undefined) return false;
  if (compareStreamIds(position.id, until) <= 0) return true;
  catchUp.delete(position.topic);
  if (catchUp.size === 0) session.catchUp = null;
  return false;
}

function parseShard(value: unknown): [number, number] | null {
  if (value === undefined || value === null) return [0, 1];
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [id, count] = value as unknown[];
  if (!Number.isSafeInteger(id) || !Number.isSafeInteger(count)) return null;
  const shardId = id as number;
  const shardCount = count as number;
  if (shardCount < 1 || shardId < 0 || shardId >= shardCount) return null;
  return [shardId, shardCount];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());
}

/** Polls `done` (cheap, synchronous) every 10 ms until it holds or `deadline` (epoch ms) passes. */
async function waitUntil(done: () => boolean, deadline: number): Promise<void> {
  while (!done() && Date.now() < deadline) await sleep(Math.min(10, deadline - Date.now()));
}

function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${status === 400 ? 'Bad Request' : status === 404 ? 'Not Found' : 'Service Unavailable'}\r\n` +
      `Connection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Creates a gateway server and starts listening (or attaches to `options.server`). */
export async function createGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  return new GatewayServer(options).listen();
}

export { Intent };
