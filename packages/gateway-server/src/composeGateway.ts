import { createServer, type Server as HttpServer } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import { ServerOwnedBroker } from './brokers/ServerOwnedBroker.js';
import type { DispatchEncodeError } from './DispatchEncodeError.js';
import type { GatewayServerEvents } from './events/GatewayServerEvents.js';
import { FanOut } from './fanout/FanOut.js';
import { defaultGatewayServerOptions as defaults, type GatewayServerOptions } from './GatewayServerOptions.js';
import { createOpTable } from './handlers/createOpTable.js';
import { IdentifyAddressLimiter } from './handlers/IdentifyAddressLimiter.js';
import { IdentifyHandler } from './handlers/IdentifyHandler.js';
import { PresenceHandler } from './handlers/PresenceHandler.js';
import { ResumeFromStore } from './handlers/ResumeFromStore.js';
import { ResumeHandler } from './handlers/ResumeHandler.js';
import { StreamHandler } from './handlers/StreamHandler.js';
import { VoiceStateHandler } from './handlers/VoiceStateHandler.js';
import { isThenable } from './isThenable.js';
import { Sweeper } from './lifecycle/Sweeper.js';
import { createLazyMemberLists } from './members/createLazyMemberLists.js';
import { createMemberRequestHandler } from './members/createMemberRequestHandler.js';
import { PreparedDispatch } from './PreparedDispatch.js';
import {
  type Broker,
  type BrokerMessage,
  type DetachedSessionStore,
  type Directory,
  type DispatchTarget,
  InMemoryIdentifyThrottle,
  InMemorySessionStartLimiter,
  type SessionStartLimiter,
  type VoiceAllocator,
} from './ports/index.js';
import { SessionJournal } from './resume/SessionJournal.js';
import { TopicCursors } from './resume/TopicCursors.js';
import type { LiveConnection, LiveSession } from './session/LiveSession.js';
import { SessionKeeper } from './session/SessionKeeper.js';
import { SessionRegistry } from './session/SessionRegistry.js';
import type { ConnectionHost } from './transport/Connection.js';
import { routeCommand } from './transport/OpTable.js';
import { readCommand } from './transport/readCommand.js';
import { UpgradeHandler } from './transport/UpgradeHandler.js';
import type { GatewayLogger, GatewayMetrics, LazyMemberLists, Snowflake } from './types.js';
import { CloseCode, closeKeepsSession } from './wire/protocol.js';

/** What the composition needs from the `GatewayServer` it builds the parts of. */
export interface GatewayHost {
  readonly directory: Directory;
  readonly broker: Broker;
  readonly detachedSessionStore: DetachedSessionStore;
  readonly voiceAllocator: VoiceAllocator;
  readonly metrics: GatewayMetrics | undefined;
  readonly logger: GatewayLogger | undefined;
  readonly maxBufferedBytes: number;
  readonly payloadCompressionThreshold: number;
  readonly zlibLevel: number;
  readonly directWrites: boolean;
  closed(): boolean;
  /** False once closed or draining: new upgrades are refused. */
  accepting(): boolean;
  /** Publishes a dispatch (the untyped form of the dispatch API). */
  dispatch(event: string, data: unknown, target: DispatchTarget): void;
  /** Whether anyone listens to the server event (its payload need not be built otherwise). */
  listens(event: keyof GatewayServerEvents): boolean;
  /** Emits a server event; a throwing listener is reported, never thrown here. */
  notify<K extends keyof GatewayServerEvents>(event: K, ...args: GatewayServerEvents[K]): void;
  /** Logs and emits `error`; `fields` are the log line's (default: the error as a string). */
  reportError(message: string, error: unknown, fields?: Record<string, unknown>): void;
  /** `host:port` this server listens on, for a connection whose upgrade had no Host header. */
  hostFallback(): string;
}

/** The parts a `GatewayServer` is made of, wired together. */
export interface GatewayParts {
  readonly http: HttpServer | HttpsServer;
  readonly ownsHttp: boolean;
  readonly upgrades: UpgradeHandler;
  readonly connections: Set<LiveConnection>;
  readonly registry: SessionRegistry;
  readonly keeper: SessionKeeper;
  readonly journal: SessionJournal<LiveSession> | undefined;
  readonly voice: VoiceStateHandler;
  readonly sweeper: Sweeper;
  readonly startLimiter: SessionStartLimiter;
  /** Resolves once every open connection has closed (at once when none is open). */
  allClosed(): Promise<void>;
}

/**
 * Builds the gateway from its options: the one place that knows every part. Each part gets the narrow context it
 * declares (see the `…Context` interfaces next to each), made here from the others.
 */
export function composeGateway(options: GatewayServerOptions, host: GatewayHost): GatewayParts {
  const { directory, metrics, logger } = host;
  const heartbeatInterval = options.heartbeatInterval ?? defaults.heartbeatInterval;
  const replayBufferSize = options.replayBufferSize ?? defaults.replayBufferSize;
  const resumeTtl = options.resumeTtl ?? defaults.resumeTtl;
  const maxConcurrency = Math.max(1, options.maxConcurrency ?? defaults.maxConcurrency);
  const maxPayloadBytes = options.maxPayloadBytes ?? defaults.maxPayloadBytes;
  const limits = { maxPayloadBytes, rateLimit: options.rateLimit ?? defaults.rateLimit };
  const reportError = (message: string, error: unknown, fields?: Record<string, unknown>): void =>
    host.reportError(message, error, { ...fields, error: String(error) });
  const connections = new Set<LiveConnection>();

  // Parts refer to each other through closures that run only once everything is built (`sessions`, `fanout`).
  const journal =
    options.resumeStore &&
    new SessionJournal<LiveSession>({
      store: options.resumeStore,
      resumeTtl,
      maxEntries: replayBufferSize,
      host: {
        onLost: (session, reason) => sessions.lost(session, reason),
        onError: (message, error) => reportError(message, error),
        brokerReady: () => brokerReady(host.broker),
      },
    });
  const listener = (message: BrokerMessage): void => fanout.listener(message);
  // The broker the server made for itself has no listener but this one: it hands over every message, and the topics
  // this node listens to are those its session index has sessions for (no per-session subscription to keep).
  const ownBroker = host.broker instanceof ServerOwnedBroker ? host.broker : null;
  const registry = new SessionRegistry(
    ownBroker
      ? null
      : {
          subscribe(topic) {
            const result = host.broker.subscribe(topic, listener);
            if (isThenable(result)) {
              Promise.resolve(result).catch((e) => reportError('subscribe failed', e, { topic }));
            }
          },
          unsubscribe(topic) {
            const result = host.broker.unsubscribe(topic, listener);
            if (isThenable(result)) Promise.resolve(result).catch(() => undefined);
          },
        },
    journal,
  );
  ownBroker?.listenAll((topic, message) => {
    if (registry.listening(topic) !== undefined) listener(message);
  });
  const deliveryFailed = (event: string, session: LiveSession, error: unknown): void =>
    host.reportError('dispatch delivery failed', error, {
      event,
      sessionId: session.sessionId,
      error: error instanceof Error ? error.message : String(error),
    });
  const fanout = new FanOut({
    registry,
    directory,
    metrics,
    cursors: journal && new TopicCursors(journal, (topic) => registry.listening(topic)),
    closed: () => host.closed(),
    deliveryFailed,
  });
  const lazy = createLazy(
    options.lazyMemberLists ?? defaults.lazyMemberLists,
    directory,
    registry,
    deliveryFailed,
    reportError,
  );
  const toGuild = (guildId: Snowflake, event: string, data: unknown): void =>
    host.dispatch(event, data, { type: 'guild', guildId });
  const touch = (session: LiveSession): void => journal?.touch(session);
  const presence = new PresenceHandler({ directory, lazy, dispatchToGuild: toGuild, touch, reportError });
  const voice: VoiceStateHandler = new VoiceStateHandler({
    directory,
    voiceAllocator: host.voiceAllocator,
    dispatchToGuild: toGuild,
    touch,
    inGuild: (guildId) => registry.inGuild(guildId),
    voiceChanged: (session, guildId, channelId) => streams.voiceChanged(session, guildId, channelId),
    isStreaming: (session, guildId, channelId) => streams.isStreaming(session, guildId, channelId),
    voiceError: (error) => logger?.warn('voice state notice failed', { error: String(error) }),
  });
  const streams: StreamHandler = new StreamHandler({
    directory,
    voiceAllocator: host.voiceAllocator,
    setSelfStream: (session, guildId, channelId, streaming) =>
      voice.setSelfStream(session, guildId, channelId, streaming),
    region: options.streamRegion ?? defaults.streamRegion,
    maxViewers: options.maxStreamViewers ?? defaults.maxStreamViewers,
  });
  const sessions = new SessionKeeper({
    registry,
    detachedStore: host.detachedSessionStore,
    journal,
    lazy,
    resumeTtl,
    leaveVoice: (session, guildId) => voice.leave(session, guildId),
    sessionEnded: (session) => streams.sessionEnded(session),
    lastSessionEnded: (session, guilds) => presence.lastSessionEnded(session, guilds),
    reportError,
    debug: (message, fields) => logger?.debug(message, fields),
  });

  const internalError = (connection: LiveConnection, error: unknown): void => {
    host.reportError('internal error', error, { error: error instanceof Error ? error.stack : String(error) });
    connection.close(CloseCode.UnknownError, 'Unknown error');
  };
  // Not async: the handlers await the answer anyway, and a wrapping promise was one more microtask turn per Identify.
  const authenticate = (connection: LiveConnection, token: string) =>
    options.authenticate(token.startsWith('Bot ') ? token.slice(4) : token, {
      remoteAddress: connection.remoteAddress,
    });
  const register = (session: LiveSession, guildIds: readonly string[]): void => {
    registry.add(session);
    for (const guildId of guildIds) registry.joinGuild(session, guildId);
  };
  const destroy = (session: LiveSession, announce?: boolean): void => sessions.destroy(session, announce);
  const resumed = (session: LiveSession, replayed: number, fromStore: boolean): void => {
    logger?.debug(fromStore ? 'resumed from store' : 'resumed', { sessionId: session.sessionId, replayed });
    host.notify('sessionResumed', { ...session.info(), replayed, fromStore });
  };
  const closed = () => host.closed();
  const perAddress = options.identifyLimitPerAddress ?? defaults.identifyLimitPerAddress;
  const limit = options.sessionStartLimit ?? defaults.sessionStartLimit;
  const startLimiter =
    options.sessionStartLimiter ?? new InMemorySessionStartLimiter(limit.total, limit.resetAfterMs, maxConcurrency);
  const ownsHttp = options.server === undefined;
  const http =
    options.server ??
    createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('Upgrade Required');
    });

  const identify = new IdentifyHandler({
    directory,
    throttle:
      options.identifyThrottle ??
      new InMemoryIdentifyThrottle(options.identifyIntervalMs ?? defaults.identifyIntervalMs),
    addressLimiter: perAddress === false ? null : new IdentifyAddressLimiter(perAddress),
    startLimiter,
    metrics,
    maxConcurrency,
    largeThreshold: options.largeThreshold ?? defaults.largeThreshold,
    replayBufferSize,
    authenticate,
    privilegedIntentsAllowed: options.privilegedIntentsAllowed?.bind(options),
    closed,
    resumeUrl: (connection) =>
      options.resumeGatewayUrl || `${http instanceof HttpsServer ? 'wss' : 'ws'}://${connection.origin}`,
    register,
    setPresence: (session, valid) => presence.set(session, valid),
    identified: (session) => {
      const { sessionId, userId, shard, intents } = session;
      logger?.debug('identified', { sessionId, userId, shard, intents });
      // Its payload built only for a listener: a copy of the session's info per Identify that nobody read (~2 µs).
      if (host.listens('sessionIdentified'))
        host.notify('sessionIdentified', { ...session.info(), user: session.user });
    },
    internalError,
  });
  const fromStore =
    journal &&
    new ResumeFromStore({
      journal,
      metrics,
      replayBufferSize,
      resumeGapLimit: options.resumeGapLimit ?? defaults.resumeGapLimit,
      closed,
      register,
      destroy,
      brokerReady: () => brokerReady(host.broker),
      wants: (session, message) => fanout.wants(session, message),
      resumed,
      warn: (message, fields) => logger?.warn(message, fields),
      internalError,
    });
  const resume = new ResumeHandler({
    metrics,
    detachedStore: host.detachedSessionStore,
    journal,
    fromStore,
    authenticate,
    session: (sessionId) => registry.get(sessionId),
    attached: (session) => registry.markAttached(session),
    destroy,
    resumed,
    internalError,
  });
  const memberRequests = {
    memberRequests: options.memberRequests ?? createMemberRequestHandler({ directory }),
    metrics,
  };
  const ops = createOpTable({
    identify,
    resume,
    presence,
    voiceState: voice,
    streams,
    memberRequests,
    lazy,
    internalError,
  });

  const connectionHost: ConnectionHost<LiveSession> = {
    maxBufferedBytes: host.maxBufferedBytes,
    payloadCompressionThreshold: host.payloadCompressionThreshold,
    zlibLevel: host.zlibLevel,
    directWrites: host.directWrites,
    metrics,
    onBackpressure(connection) {
      if (connection.closed) return;
      const bufferedBytes = connection.ws.bufferedAmount;
      logger?.warn('closing slow connection', {
        bufferedAmount: bufferedBytes,
        sessionId: connection.session?.sessionId,
      });
      metrics?.backpressureClose?.();
      const session = connection.session;
      host.notify('backpressure', { session: session ? session.info() : null, bufferedBytes });
      if (session) {
        // Detach first: what arrives from now on goes to the replay buffer only, for the Resume that follows.
        connection.session = null;
        session.connection = null;
        sessions.detach(session);
        host.notify('sessionClosed', { ...session.info(), code: CloseCode.UnknownError, resumable: true });
      }
      connection.close(CloseCode.UnknownError, 'send buffer full', 1000);
    },
    // A dispatch this connection's encoding cannot carry (an integrator's payload too deep for ETF/MessagePack, a
    // cycle…) was skipped for it. The session stays: closing it would not help (a Resume replays the same entry) and
    // the client did nothing wrong. Logged once per dispatch and encoding, not per recipient.
    onEncodeError(_connection, error: DispatchEncodeError) {
      if (error.reported) return;
      error.reported = true;
      host.reportError('dispatch encode failed: skipped for sessions using this encoding', error, {
        event: error.event,
        encoding: error.encoding,
        error: error.message,
      });
    },
  };
  /** Called once `connections` is empty (the server's close waits for its connections' close handshakes). */
  let whenEmpty: (() => void)[] = [];
  const allClosed = (): Promise<void> =>
    connections.size === 0 ? Promise.resolve() : new Promise((resolve) => whenEmpty.push(resolve));
  const upgrades = new UpgradeHandler({
    http,
    ownsHttp,
    path: options.path,
    // Payloads between our limit and this one are read and answered with 4002 (readCommand.ts); bigger ones are
    // refused with 1009 before they are read (FrameReader.ts).
    maxPayload: Math.max(64 * 1024, maxPayloadBytes * 4),
    maxBufferedBytes: host.maxBufferedBytes,
    zlibStream: options.zlibStream ?? defaults.zlibStream,
    zlibLevel: host.zlibLevel,
    heartbeatInterval,
    host: connectionHost,
    accepting: () => host.accepting(),
    hostFallback: () => host.hostFallback(),
    opened(connection) {
      connections.add(connection);
      metrics?.connectionOpened(connection.encoding.name, connection.compression);
      // Its payload built only for a listener, as `sessionIdentified`'s.
      if (host.listens('sessionOpened')) {
        const { remoteAddress, compression } = connection;
        host.notify('sessionOpened', { remoteAddress, encoding: connection.encoding.name, compression });
      }
    },
    // Nothing a client sends may throw out of the socket's message event (that would take the process down).
    message(connection, data, isBinary) {
      try {
        const command = readCommand(connection, data, isBinary, limits, metrics);
        if (command !== null) routeCommand(ops, connection, command);
      } catch (error) {
        internalError(connection, error);
      }
    },
    closed(connection, code) {
      connections.delete(connection);
      if (connections.size === 0 && whenEmpty.length > 0) {
        const waiting = whenEmpty;
        whenEmpty = [];
        for (const resolve of waiting) resolve();
      }
      connection.dispose();
      metrics?.connectionClosed(connection.closeCode ?? code, connection.encoding.name, connection.compression);
      const session = connection.session;
      if (!session) return;
      connection.session = null;
      if (session.connection === connection) session.connection = null;
      const sent = connection.closeCode;
      const keep = (sent !== null ? closeKeepsSession(sent) : code !== 1000 && code !== 1001) && !host.closed();
      if (keep) sessions.detach(session);
      else sessions.destroy(session);
      host.notify('sessionClosed', { ...session.info(), code: sent ?? code, resumable: keep });
    },
    socketError: (error) => logger?.debug('socket error', { error: error.message }),
  });
  const sweeper = new Sweeper({
    heartbeatInterval,
    heartbeatTimeoutFactor: options.heartbeatTimeoutFactor ?? defaults.heartbeatTimeoutFactor,
    identifyTimeout: options.identifyTimeout ?? defaults.identifyTimeout,
    resumeTtl,
    connections,
    detached: () => registry.detached(),
    // Its close was reported as resumable: report that it is gone for good (no connection, so code null).
    expire(session) {
      sessions.destroy(session);
      host.notify('sessionClosed', { ...session.info(), code: null, resumable: false });
    },
    tick(now) {
      identify.prune(now);
      startLimiter.prune?.(now);
      metrics?.sessions(registry.size - registry.detachedCount, registry.detachedCount);
    },
  });
  return {
    http,
    ownsHttp,
    upgrades,
    connections,
    registry,
    keeper: sessions,
    journal,
    voice,
    sweeper,
    startLimiter,
    allClosed,
  };
}

/** The op 14 index the `lazyMemberLists` option asks for, sending through the session registry. */
function createLazy(
  option: NonNullable<GatewayServerOptions['lazyMemberLists']>,
  directory: Directory,
  registry: SessionRegistry,
  deliveryFailed: (event: string, session: LiveSession, error: unknown) => void,
  reportError: (message: string, error: unknown) => void,
): LazyMemberLists | undefined {
  const send = (sessionId: string, event: string, data: unknown): void => {
    const session = registry.get(sessionId);
    if (!session || session.destroyed) return;
    // One recipient's failure stays its own: the list index loops over every watcher with this callback.
    try {
      session.send(PreparedDispatch.forOne(event, data), true);
    } catch (error) {
      deliveryFailed(event, session, error);
    }
  };
  if (option === true) {
    return createLazyMemberLists({
      directory,
      send,
      onError: (error) => reportError('member list update failed', error),
    });
  }
  if (typeof option === 'function') return option(send);
  return option === false ? undefined : option;
}

/** Resolves once the broker's subscriptions asked for so far are in effect (brokers without `ready`: at once). */
function brokerReady(broker: Broker): Promise<void> {
  const ready = (broker as { ready?: () => Promise<void> }).ready;
  return typeof ready === 'function' ? ready.call(broker) : Promise.resolve();
}
