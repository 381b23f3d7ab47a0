import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type Broker, createGatewayServer, type GatewayLogger } from '@concord/gateway-server';
import { createGatewayMetrics } from '@concord/gateway-server/metrics';
import { Community } from '@concord/guilds';
import {
  brokerCheck,
  concordCdn,
  concordHealth,
  concordRest,
  InMemoryRateLimitStore,
  RateLimitedError,
  type RateLimitRule,
  type RestAuthenticate,
  type RestPluginOptions,
  readTlsFiles,
  reloadTls,
  restFrameworkErrors,
  type TlsFiles,
} from '@concord/rest-server';
import type { OpenedStorage } from '@concord/storage-adapters/open';
import Fastify, { type FastifyBaseLogger, type FastifyServerOptions, LogController } from 'fastify';
import { createDevAuth, defaultDevAuthNewUsers } from './devAuth.js';
import { servePage } from './page.js';
import type { LazyVoice } from './voice.js';

/** The starter guild's ids, fixed so bots and bookmarks find it on every backend. The server itself owns it. */
export const LOBBY_ID = '1200000000000000000';
export const GENERAL_TEXT_ID = '1200000000000000001';
export const GENERAL_VOICE_ID = '1200000000000000002';
export const OWNER_ID = '1200000000000000003';
const LOBBY_IDS = {
  guild: LOBBY_ID,
  textCategory: '1200000000000000004',
  voiceCategory: '1200000000000000005',
  general: GENERAL_TEXT_ID,
  voiceGeneral: GENERAL_VOICE_ID,
};

export interface ChatServerOptions {
  /** `openStorage(DATABASE_URL)` of `@concord/storage-adapters/open`. */
  storage: OpenedStorage;
  port?: number;
  host?: string;
  /** Replaces dev auth: token (without `Bot `) → `{ user }` or null, for the gateway and REST alike. */
  authenticate?: RestAuthenticate;
  /** Dev auth: new users one address may create per window (default 10 a minute). */
  devAuthNewUsers?: RateLimitRule;
  rateLimits?: RestPluginOptions['rateLimits'];
  /** An HTTP connection silent this long (a stalled body, say) is closed; default 10 s. WebSockets are exempt. */
  idleTimeoutMs?: number;
  /** Where op 4 sends users (VOICE_SERVER_UPDATE); without it, `endpoint: null`. */
  voice?: LazyVoice;
  /** Certificate and key files: HTTPS and WSS on the same port. `reloadTls()` reads them again. */
  tls?: TlsFiles;
  /** Fastify's logger (pino: JSON lines): `{ level: 'info' }`, say. Default off; the gateway logs through it too. */
  logger?: FastifyServerOptions['logger'];
  /** Log every HTTP request (Fastify's request log) when a logger is set; default false. */
  logRequests?: boolean;
  /** Serve the gateway's Prometheus metrics at `/metrics` (default false). */
  metrics?: boolean;
  /** The gateway's broker (default in-process); a host worker passes the host fan-out (src/workers.ts). */
  broker?: Broker;
  /** Id source of the Community; each process of a host needs its own (src/workers.ts). */
  ids?: { nextString(): string };
}

/** The gateway's logger interface over Fastify's pino logger. */
function gatewayLogger(log: FastifyBaseLogger): GatewayLogger {
  return {
    debug: (message, fields) => log.debug(fields ?? {}, message),
    info: (message, fields) => log.info(fields ?? {}, message),
    warn: (message, fields) => log.warn(fields ?? {}, message),
    error: (message, fields) => log.error(fields ?? {}, message),
  };
}

export type ChatServer = Awaited<ReturnType<typeof createChatServer>>;

export async function createChatServer(options: ChatServerOptions) {
  const { storage } = options;
  const community = new Community({
    store: storage.entities,
    messages: storage.messages,
    blobs: storage.blobs,
    ...(options.ids ? { ids: options.ids } : {}),
  });
  // A first run seeds the Lobby; every user joins it when first seen (below).
  await community.users.ensure({ id: OWNER_ID, username: 'Lobby', bot: true });
  if (!(await community.guilds.get(OWNER_ID, LOBBY_ID).then(Boolean, () => false))) {
    await community.guilds.create(OWNER_ID, { name: 'Lobby' }, { ignoreLimit: true, ids: LOBBY_IDS });
  }

  const limiter = new InMemoryRateLimitStore();
  const newUsers = options.devAuthNewUsers ?? defaultDevAuthNewUsers;
  // A user first seen is stored and joins the Lobby.
  const create = async (user: Parameters<typeof community.users.ensure>[0]) => {
    const stored = await community.users.ensure(user);
    await community.members.join(stored.id, LOBBY_ID);
    return stored;
  };
  // `find`, not `get`: an unknown user is an answer here, not an UnknownEntityError built (stack and all) per visit.
  const find = (id: string) => community.users.findCached(id) ?? community.users.find(id);
  const custom = options.authenticate;
  // The stored user is the one both paths report: a bot first seen on REST (`Bot <token>`) is a bot in READY too.
  // Dev auth answers with it already (one lookup per visit).
  const authenticate: RestAuthenticate = custom
    ? async (token, context) => {
        const auth = await custom(token, context);
        if (!auth) return null;
        const stored = await find(auth.user.id);
        return { ...auth, user: stored ?? (await create(auth.user)) };
      }
    : createDevAuth({ find, create, limiter, newUsers });

  const connectionTimeout = options.idleTimeoutMs ?? 10_000;
  const app = Fastify({
    frameworkErrors: restFrameworkErrors,
    connectionTimeout,
    // null: plain HTTP. The gateway's WebSocket upgrades arrive on the same server, so TLS covers them too.
    https: options.tls ? readTlsFiles(options.tls) : null,
    logger: options.logger ?? false,
    logController: new LogController({ disableRequestLogging: !options.logRequests }),
  });
  const metrics = options.metrics ? createGatewayMetrics() : undefined;
  let shuttingDown = false;
  const gateway = await createGatewayServer({
    server: app.server,
    // Gateway connections are told from REST ones by their first bytes: an upgrade never goes through Node's HTTP
    // parser or Fastify's idle timer, and every other connection reaches Fastify as before (the gateway's README).
    acceptConnections: true,
    directory: community.directory,
    ...(options.broker ? { broker: options.broker } : {}),
    ...(options.logger ? { logger: gatewayLogger(app.log) } : {}),
    ...(metrics ? { metrics } : {}),
    ...(options.voice ? { voiceAllocator: options.voice.allocator } : {}),
    // The gateway can only accept or refuse: dev auth's new-user limit (429 over REST) closes it with 4004.
    // Not an async function: an answer dev auth gives at once (a returning user) stays without a promise.
    authenticate: (token, context) => {
      let answer: ReturnType<typeof authenticate>;
      try {
        answer = authenticate(token, context);
      } catch (error) {
        if (error instanceof RateLimitedError) return null;
        throw error;
      }
      if (!(answer instanceof Promise)) return answer;
      return answer.catch((error: unknown) => {
        if (error instanceof RateLimitedError) return null;
        throw error;
      });
    },
  });
  await community.attach(gateway);
  // A chat server's few guilds held from the start: Identify then reads a user's guilds from them, not from the store.
  await community.loadGuilds();
  const { blobs } = storage;
  const rest = { community, authenticate, gateway, blobs, rateLimitStore: limiter, prefix: '/api' };
  const onInternalError = options.logger
    ? { onInternalError: (error: unknown, r: { method: string; url: string }) => app.log.error({ err: error, ...r }) }
    : {};
  await app.register(concordRest, { ...rest, ...onInternalError, rateLimits: options.rateLimits ?? {} });
  const { voice } = options;
  await app.register(concordHealth, {
    checks: {
      // A read of each store (a real query on PostgreSQL, SQLite, Cassandra).
      storage: () =>
        Promise.all([storage.entities.count('guild', LOBBY_ID), storage.messages.list(GENERAL_TEXT_ID, { limit: 1 })]),
      broker: brokerCheck(gateway.broker),
      ...(voice ? { voice: () => voice.start() } : {}),
    },
    draining: () => shuttingDown || gateway.draining,
    ...(metrics ? { metrics } : {}),
  });
  await app.register(concordCdn, { blobs, prefix: '/cdn' });
  await app.register(servePage);
  await app.listen({ port: options.port ?? 8080, host: options.host ?? '127.0.0.1' });
  const { address, port, family } = app.server.address() as AddressInfo;
  const closeRest = async () => {
    await app.close();
    await voice?.close();
    await community.close();
    limiter.close();
    await storage.close();
  };
  return {
    ...{ app, gateway, community },
    url: `${options.tls ? 'https' : 'http'}://${family === 'IPv6' ? `[${address}]` : address}:${port}`,
    /** Reads the certificate and key files again for new connections (SIGHUP in main.ts); throws without TLS. */
    reloadTls() {
      if (!options.tls) throw new Error('the server runs without TLS');
      reloadTls(app.server as unknown as HttpsServer, options.tls);
    },
    /** Closes at once: open gateway connections get 1001. */
    async close() {
      shuttingDown = true;
      await gateway.close();
      await closeRest();
    },
    /**
     * Graceful shutdown: `/readyz` answers 503, new gateway connections are refused (503), every open one gets op 7
     * Reconnect (clients resume or reconnect elsewhere), and those still open after `drainMs` are closed with 4000
     * (resumable). Then HTTP stops accepting and finishes the requests in flight, and the stores close.
     */
    async shutdown(drainMs = 5000) {
      shuttingDown = true;
      const drained = await gateway.drain({ waveSize: '100%', timeoutMs: drainMs });
      await closeRest();
      return drained;
    },
  };
}
