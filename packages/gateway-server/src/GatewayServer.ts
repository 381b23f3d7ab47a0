import { EventEmitter } from 'node:events';
import type { Server as HttpServer } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ServerOwnedBroker } from './brokers/ServerOwnedBroker.js';
import { buildGuildCreate } from './buildGuildCreate.js';
import { composeGateway, type GatewayParts } from './composeGateway.js';
import type { DispatchOptions } from './dispatch/DispatchOptions.js';
import type { GatewayDispatchEvent, GatewayDispatchMap } from './dispatch/GatewayDispatchMap.js';
import type { GatewayServerDispatch } from './dispatch/GatewayServerDispatch.js';
import type { GatewayServerEvents } from './events/GatewayServerEvents.js';
import { publishDispatch } from './fanout/publishDispatch.js';
import { GatewayServerError } from './GatewayServerError.js';
import { defaultGatewayServerOptions as defaults, type GatewayServerOptions } from './GatewayServerOptions.js';
import { isThenable } from './isThenable.js';
import { checkDrainOptions, type DrainOptions, type DrainStats } from './lifecycle/drain.js';
import { runDrain } from './lifecycle/runDrain.js';
import { PreparedDispatch } from './PreparedDispatch.js';
import {
  type Broker,
  createStaticVoiceAllocator,
  type DetachedSessionStore,
  type Directory,
  type DispatchTarget,
  InMemoryDetachedSessionStore,
  InMemoryDirectory,
  type SessionStartLimit,
  type VoiceAllocator,
} from './ports/index.js';
import { shardOf } from './shardOf.js';
import { UpgradeDemux } from './transport/UpgradeDemux.js';
import type { GatewayLogger, GatewayMetrics, Snowflake } from './types.js';

/**
 * A Discord gateway v10 server. Create with `createGatewayServer()` (listens) or `new GatewayServer()` + `listen()`.
 *
 * This class is the public face (options, lifecycle, the dispatch and session-control API, the events of
 * {@link GatewayServerEvents}); `composeGateway` builds the parts that do the work: `transport/` (upgrades,
 * connections, the op table), `handlers/` (one per command), `session/` (sessions and their registry), `fanout/` (who
 * receives a dispatch), `resume/` and `lifecycle/` (drain, liveness sweep). docs/architecture.md has the map.
 */
export class GatewayServer extends EventEmitter<GatewayServerEvents> implements GatewayServerDispatch {
  readonly directory: Directory;
  readonly broker: Broker;
  readonly detachedSessionStore: DetachedSessionStore;
  readonly voiceAllocator: VoiceAllocator;
  readonly metrics: GatewayMetrics | undefined;
  readonly maxBufferedBytes: number;
  readonly payloadCompressionThreshold: number;
  readonly zlibLevel: number;
  readonly directWrites: boolean;
  readonly #options: GatewayServerOptions;
  readonly #logger: GatewayLogger | undefined;
  readonly #parts: GatewayParts;
  readonly #offVoiceMove: (() => void) | undefined;
  /** Reads new connections' request heads before the HTTP server (`acceptConnections`), when on. */
  #demux: UpgradeDemux | undefined;
  #closed = false;
  /** The running drain, once `drain()` was called. */
  #drainRun: Promise<DrainStats> | null = null;

  constructor(options: GatewayServerOptions) {
    super();
    if (typeof options?.authenticate !== 'function') {
      throw new GatewayServerError('INVALID_OPTION', 'options.authenticate must be a function');
    }
    this.#options = options;
    this.maxBufferedBytes = options.maxBufferedBytes ?? defaults.maxBufferedBytes;
    this.payloadCompressionThreshold = options.payloadCompressionThreshold ?? defaults.payloadCompressionThreshold;
    this.zlibLevel = options.zlibLevel ?? defaults.zlibLevel;
    this.directWrites = options.directWrites ?? defaults.directWrites;
    this.metrics = options.metrics;
    this.#logger = options.logger;
    this.directory = options.directory ?? new InMemoryDirectory();
    // Its own broker lets the session index stand for the subscriptions (brokers/ServerOwnedBroker.ts).
    this.broker = options.broker ?? new ServerOwnedBroker();
    this.detachedSessionStore = options.detachedSessionStore ?? new InMemoryDetachedSessionStore();
    this.voiceAllocator = options.voiceAllocator ?? createStaticVoiceAllocator(options.voiceEndpoint ?? null);
    // Without topic histories a session resumed elsewhere would silently miss what was published meanwhile.
    if (options.resumeStore && this.broker.history !== true) {
      throw new GatewayServerError(
        'INVALID_OPTION',
        'resumeStore needs a broker with history (createRedisBroker, history not disabled)',
      );
    }
    this.#parts = composeGateway(options, {
      directory: this.directory,
      broker: this.broker,
      detachedSessionStore: this.detachedSessionStore,
      voiceAllocator: this.voiceAllocator,
      metrics: this.metrics,
      logger: this.#logger,
      maxBufferedBytes: this.maxBufferedBytes,
      payloadCompressionThreshold: this.payloadCompressionThreshold,
      zlibLevel: this.zlibLevel,
      directWrites: this.directWrites,
      closed: () => this.#closed,
      accepting: () => !this.#closed && this.#drainRun === null,
      dispatch: (event, data, target) => this.#dispatch(event, data, target, {}),
      listens: (event) => this.listenerCount(event) > 0,
      notify: (event, ...args) => this.#notify(event, ...args),
      reportError: (message, error, fields) => this.#reportError(message, error, fields),
      hostFallback: () => {
        try {
          return `127.0.0.1:${this.address().port}`;
        } catch {
          return 'localhost';
        }
      },
    });
    this.#offVoiceMove = this.voiceAllocator.onMove?.((move) => {
      this.reallocateVoice(move.guildId, move.channelId).catch((error) =>
        this.#reportError('voice reallocation failed', error, { ...move, error: String(error) }),
      );
    });
    this.#parts.http.on('upgrade', this.#parts.upgrades.listener);
    if (options.acceptConnections ?? options.server === undefined) {
      this.#demux = new UpgradeDemux(this.#parts.http, this.#parts.upgrades.takeHead);
      this.#demux.install();
    }
  }

  /** Starts listening (own server) and the liveness sweep. Resolves once listening. */
  async listen(): Promise<this> {
    if (this.#closed) throw new GatewayServerError('CLOSED', 'server is closed');
    this.#parts.sweeper.start();
    const http = this.#parts.http;
    if (this.#parts.ownsHttp && !http.listening) {
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(this.#options.port ?? 0, this.#options.host, () => {
          http.off('error', reject);
          resolve();
        });
      });
    }
    return this;
  }

  /** The bound address (own server, or the attached one once it listens). */
  address(): AddressInfo {
    const address = this.#parts.http.address();
    if (address === null || typeof address === 'string') throw new GatewayServerError('NOT_LISTENING', 'not listening');
    return address;
  }

  /** `ws://host:port` of this server (for tests and GET /gateway). */
  get url(): string {
    const { address, port, family } = this.address();
    const host = family === 'IPv6' ? `[${address}]` : address === '0.0.0.0' ? '127.0.0.1' : address;
    return `${this.#parts.http instanceof HttpsServer ? 'wss' : 'ws'}://${host}:${port}`;
  }

  get connectionCount(): number {
    return this.#parts.connections.size;
  }

  get sessionCount(): number {
    return this.#parts.registry.size;
  }

  /**
   * `session_start_limit` of a user, for GET /gateway/bot, from a limiter that answers synchronously (the default
   * in-memory one). Throws `INVALID_OPTION` with an asynchronous `sessionStartLimiter` (Redis): use `sessionStartLimit()`.
   */
  getSessionStartLimit(userId: Snowflake): SessionStartLimit {
    const limit = this.#parts.startLimiter.get(userId);
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
    return this.#parts.startLimiter.get(userId);
  }

  // ── dispatch API ────────────────────────────────────────────────────────────────────────────────────────────

  /** Sends an event to every session (of the right shard) in a guild. */
  dispatchToGuild<E extends GatewayDispatchEvent>(
    guildId: Snowflake,
    event: E,
    data: GatewayDispatchMap[E],
    options?: DispatchOptions,
  ): void {
    this.dispatch(event, data, { type: 'guild', guildId }, options);
  }

  /** Sends an event to the sessions of a guild that can view a channel. */
  dispatchToChannel<E extends GatewayDispatchEvent>(
    guildId: Snowflake,
    channelId: Snowflake,
    event: E,
    data: GatewayDispatchMap[E],
    options?: DispatchOptions,
  ): void {
    this.dispatch(event, data, { type: 'channel', guildId, channelId }, options);
  }

  /**
   * Sends an event to every session of some users (DMs, user-level events). With `guildId` only the sessions whose
   * shard holds that guild get it; without, shard 0 (where Discord sends DMs).
   */
  dispatchToUsers<E extends GatewayDispatchEvent>(
    userIds: Snowflake | Snowflake[],
    event: E,
    data: GatewayDispatchMap[E],
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
  dispatchToSession<E extends GatewayDispatchEvent>(
    sessionId: string,
    event: E,
    data: GatewayDispatchMap[E],
    options?: DispatchOptions,
  ): void {
    this.dispatch(event, data, { type: 'session', sessionId }, options);
  }

  /** The general form: publishes through the broker to every node holding a recipient. */
  dispatch<E extends GatewayDispatchEvent>(
    event: E,
    data: GatewayDispatchMap[E],
    target: DispatchTarget,
    options: DispatchOptions = {},
  ): void {
    this.#dispatch(event, data, target, options);
  }

  /**
   * The untyped escape hatch: any event name, any payload (see {@link GatewayServerDispatch.dispatchRaw}). For events
   * decided at run time and malformed payloads on purpose; an application's own events belong in GatewayDispatchMap.
   */
  dispatchRaw(event: string, data: unknown, target: DispatchTarget, options: DispatchOptions = {}): void {
    this.#dispatch(event, data, target, options);
  }

  /** The dispatch API's one implementation, untyped (the server's own dispatches use it too). */
  #dispatch(event: string, data: unknown, target: DispatchTarget, options: DispatchOptions): void {
    publishDispatch(this.broker, event, data, target, options, this.#publishFailed);
  }

  readonly #publishFailed = (topic: string, error: unknown): void =>
    this.#reportError('broker publish failed', error, { topic, error: String(error) });

  // ── session control ─────────────────────────────────────────────────────────────────────────────────────────

  /** Sends op 7 Reconnect to one session, or to every connection (`drain()` does it in waves). */
  reconnect(sessionId?: string): void {
    if (sessionId !== undefined) {
      this.#parts.registry.get(sessionId)?.connection?.sendControl(7, null);
      return;
    }
    for (const connection of this.#parts.connections) connection.sendControl(7, null);
  }

  /** True once `drain()` was called: new connections are refused and sessions are being moved away. */
  get draining(): boolean {
    return this.#drainRun !== null;
  }

  /**
   * Drains this node for a shutdown or restart. Upgrades are refused from now on (HTTP 503: a load balancer can retry
   * another node before any WebSocket exists), op 7 Reconnect goes out in waves, and it resolves once every session
   * has left and its state is confirmed in the detached-session store; then (unless `close: false`) the server and its
   * broker are closed. Clients resume where `resume_gateway_url` leads them: another node, when the store is shared.
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
      const { connections, registry, keeper, journal } = this.#parts;
      this.#drainRun = runDrain(
        {
          connections,
          metrics: this.metrics,
          sessionCount: () => registry.size,
          pending: () => {
            let attached = 0;
            for (const session of registry.values()) if (session.connection !== null) attached++;
            return attached + keeper.savesPending;
          },
          unsaved: () => keeper.unsaved,
          flushed: () => journal?.flushed(),
          shutDown: async () => {
            keeper.handOver();
            await this.close();
            await this.broker.close?.();
          },
        },
        options,
      );
    }
    return this.#drainRun;
  }

  /** Sends op 9 Invalid Session; `resumable: false` also ends the session. */
  invalidateSession(sessionId: string, resumable = false): void {
    const session = this.#parts.registry.get(sessionId);
    if (!session) return;
    session.connection?.sendControl(9, resumable);
    if (resumable) return;
    this.#parts.keeper.destroy(session);
    // Its connection stays open (the client may Identify again on it) and now has no session, so its close will not
    // report this session: report it here.
    this.#notify('sessionClosed', { ...session.info(), code: null, resumable: false });
  }

  /** Asks a session's client for an immediate heartbeat (op 1 from the server). */
  requestHeartbeat(sessionId: string): void {
    const connection = this.#parts.registry.get(sessionId)?.connection;
    if (!connection) return;
    connection.heartbeatRequested = true;
    connection.sendControl(1, null);
  }

  /**
   * A user joined a guild after identifying: its sessions on the guild's shard start receiving the guild's events
   * and get a GUILD_CREATE.
   */
  async addGuildMember(guildId: Snowflake, userId: Snowflake): Promise<void> {
    const { registry } = this.#parts;
    const sessions = registry.ofUser(userId);
    if (!sessions) return;
    const snapshot = await this.directory.guild(guildId);
    if (!snapshot) return;
    for (const session of sessions) {
      if (session.destroyed || session.guilds.has(guildId)) continue;
      if (shardOf(guildId, session.shard[1]) !== session.shard[0]) continue;
      registry.joinGuild(session, guildId);
      session.send(PreparedDispatch.forOne('GUILD_CREATE', buildGuildCreate(snapshot, session)), true);
    }
  }

  /** A user left (or was removed from) a guild: its sessions get GUILD_DELETE and no more events of it. */
  removeGuildMember(guildId: Snowflake, userId: Snowflake): void {
    const { registry } = this.#parts;
    const sessions = registry.ofUser(userId);
    if (!sessions) return;
    for (const session of sessions) {
      if (!session.guilds.has(guildId)) continue;
      registry.leaveGuild(session, guildId);
      session.send(PreparedDispatch.forOne('GUILD_DELETE', { id: guildId }), true);
    }
  }

  /**
   * Sends a new VOICE_SERVER_UPDATE (fresh allocation) to every session of this node in a voice channel: what follows
   * a voice node failover (called for the allocator's `onMove`). Detached sessions get it on resume. Returns how many
   * sessions were sent one.
   */
  reallocateVoice(guildId: Snowflake, channelId: Snowflake): Promise<number> {
    return this.#parts.voice.reallocate(guildId, channelId);
  }

  /**
   * Server-side voice moderation (a member moved to `channelId`, or disconnected with null): this node's sessions of
   * the user in voice in the guild get the new VOICE_STATE_UPDATE, and after a move a VOICE_SERVER_UPDATE. The
   * permission (MOVE_MEMBERS) is the caller's to check. Returns how many sessions were moved.
   */
  moveVoiceMember(guildId: Snowflake, userId: Snowflake, channelId: Snowflake | null): Promise<number> {
    return this.#parts.voice.move(guildId, userId, channelId);
  }

  /**
   * The member's server mute or deafen changed (in the directory): this node's sessions of the user in voice send the
   * guild a VOICE_STATE_UPDATE with the member's `mute` and `deaf`. Returns how many sessions were updated.
   */
  refreshVoiceState(guildId: Snowflake, userId: Snowflake): Promise<number> {
    return this.#parts.voice.refresh(guildId, userId);
  }

  /** Closes every connection (1001), stops the sweep, and closes the HTTP server if this server created it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const { http, ownsHttp, upgrades, connections, registry, keeper, journal, sweeper, allClosed } = this.#parts;
    this.#offVoiceMove?.();
    sweeper.stop();
    http.off('upgrade', upgrades.listener);
    this.#demux?.uninstall();
    for (const connection of connections) connection.close(1001, 'server shutting down', 500);
    await Promise.race([allClosed(), new Promise((r) => setTimeout(r, 1000).unref())]);
    for (const connection of connections) connection.ws.terminate();
    for (const session of [...registry.values()]) keeper.destroy(session, false);
    // What is journaled so far reaches the resume store before the node goes (sessions left there resume elsewhere).
    await journal?.close();
    if (this.detachedSessionStore instanceof InMemoryDetachedSessionStore) this.detachedSessionStore.clear();
    if (ownsHttp && http.listening) {
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        (http as HttpServer).closeAllConnections?.();
      });
    }
  }

  // ── events and errors ───────────────────────────────────────────────────────────────────────────────────────

  /**
   * Emits a server event when someone listens (only session lifecycle events: never once per delivery). A throwing
   * listener is reported as `error` (logged, for an `error` listener that throws itself), never thrown into the
   * connection or session it came from.
   */
  #notify<K extends keyof GatewayServerEvents>(event: K, ...args: GatewayServerEvents[K]): void {
    if (this.listenerCount(event) === 0) return;
    try {
      (this.emit as (event: K, ...args: GatewayServerEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      if (event === 'error') this.#logger?.error('error listener failed', { error: String(error) });
      else this.#reportError('event listener failed', error, { event, error: String(error) });
    }
  }

  /** Something failed that the server survives: logged (with `fields`), and emitted as `error`. */
  #reportError(message: string, error: unknown, fields: Record<string, unknown> = { error: String(error) }): void {
    this.#logger?.error(message, fields);
    const sessionId = typeof fields.sessionId === 'string' ? fields.sessionId : undefined;
    this.#notify('error', error, sessionId !== undefined ? { message, sessionId } : { message });
  }
}

/** Creates a gateway server and starts listening (or attaches to `options.server`). */
export async function createGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  return new GatewayServer(options).listen();
}
