import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Broker } from './Broker.js';
import type { Directory } from './Directory.js';
import type { IdentifyAddressLimit } from './handlers/IdentifyAddressLimiter.js';
import type { IdentifyThrottle } from './IdentifyThrottle.js';
import type { DetachedSessionStore } from './ports/DetachedSessionStore.js';
import type { VoiceAllocator } from './ports/VoiceAllocator.js';
import type { ResumeStore } from './resume/ResumeStore.js';
import type { SessionStartLimiter } from './SessionStartLimiter.js';
import type {
  AuthenticateContext,
  AuthenticatedUser,
  Awaitable,
  GatewayLogger,
  GatewayMetrics,
  LazyMemberLists,
  MemberRequestHandler,
  UserData,
} from './types.js';

/**
 * Everything `createGatewayServer` accepts. Only `authenticate` is required; every other external system has an
 * in-memory default so one process runs the whole gateway.
 */
export interface GatewayServerOptions {
  /** Listen on this port (0 = ephemeral). Ignored when `server` is given. */
  port?: number;
  host?: string;
  /** Attach to an existing HTTP(S) server instead of listening. `close()` then leaves that server open. */
  server?: HttpServer | HttpsServer;
  /** Only upgrade requests on this path (default: any path). */
  path?: string;
  /**
   * The gateway reads each new connection's request head itself, before the HTTP server's parser does: a gateway
   * upgrade then never builds Node's HTTP parser, `IncomingMessage`, the server's per-connection listeners and idle
   * timer or its 'upgrade' event (together more CPU per connection than the gateway's own handshake). Every other
   * connection — REST requests, other upgrades, anything not in the one form clients send (GET, HTTP/1.1, no
   * duplicate handshake fields) — is handed to the server's own connection handling with the bytes read, as if it had
   * come straight there: keep-alive, pipelining, request bodies, TLS (HTTPS: the decrypted head is read) and the other
   * 'upgrade' listeners work as before. A connection gets the server's `headersTimeout` (its idle `timeout` when
   * shorter) to send its head, then is answered 408, as Node answers a late head. `close()` gives the server its
   * connection listeners back. Default: true on the gateway's own server, false on an attached one (it changes when
   * the server's other 'connection' listeners see a connection: once its head is read).
   */
  acceptConnections?: boolean;

  /**
   * Resolves an Identify/Resume token (with any `Bot ` prefix removed) to a user; null/undefined = 4004. `context`
   * tells where the connection comes from (e.g. to limit what one address may create).
   */
  authenticate(token: string, context: AuthenticateContext): Awaitable<AuthenticatedUser | null | undefined>;
  /** Guild membership and snapshots. Default: an empty `InMemoryDirectory`. */
  directory?: Directory;
  /** VOICE_SERVER_UPDATE source. Default: `createStaticVoiceAllocator(voiceEndpoint ?? null)`. */
  voiceAllocator?: VoiceAllocator;
  voiceEndpoint?: string;
  /** Go Live: the `region` of STREAM_CREATE / STREAM_UPDATE (default `concord`). */
  streamRegion?: string;
  /** Go Live: viewers per stream before op 20 is answered `stream_full` (default 50). */
  maxStreamViewers?: number;
  /** Fan-out between nodes. Default: `InMemoryBroker`. */
  broker?: Broker;
  /** Detached sessions awaiting Resume (on this node, or shared). Default: `InMemoryDetachedSessionStore`. */
  detachedSessionStore?: DetachedSessionStore;
  /**
   * Resume on any node, even after this one died: every dispatch is journaled here before it is written to its
   * socket, and a Resume for a session this node does not hold claims it from the store (`createRedisResumeStore` from
   * `@concord/gateway-server/redis`, with the Redis broker and its history). Default: none (resume on the same
   * node only, from memory).
   */
  resumeStore?: ResumeStore;
  /** With `resumeStore`: at most this many history messages per topic to fill a resumed session's gap (default 10000). */
  resumeGapLimit?: number;
  /**
   * Which privileged intents (GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT) the user may ask for: `true` = all,
   * `false` = none, a number = bit set of the allowed ones. Default: all allowed.
   */
  privilegedIntentsAllowed?(user: UserData): Awaitable<boolean | number>;
  /** op 8 handler (default: the one from `src/members`). */
  memberRequests?: MemberRequestHandler;
  /**
   * op 14 lazy member lists: an index, a factory given the `send` callback the index needs, `true` for the built-in
   * index over `directory` (the default; it costs nothing until a session subscribes), or `false` to ignore op 14.
   */
  lazyMemberLists?:
    | boolean
    | LazyMemberLists
    | ((send: (sessionId: string, event: string, data: unknown) => void) => LazyMemberLists);
  metrics?: GatewayMetrics;
  logger?: GatewayLogger;

  /** READY.resume_gateway_url. Default: `ws://<Host header of the connection>`. */
  resumeGatewayUrl?: string;
  /** op 10 heartbeat_interval in ms (default 41250). */
  heartbeatInterval?: number;
  /** Close with 4009 after this many intervals without any client frame (default 1.5). */
  heartbeatTimeoutFactor?: number;
  /** Close with 4009 (session timed out) when no Identify/Resume arrived within this many ms (default 20000). */
  identifyTimeout?: number;
  /** Dispatches kept per session for Resume (default 1000). */
  replayBufferSize?: number;
  /** How long a detached session stays resumable, ms (default 180000). */
  resumeTtl?: number;
  /** Client commands per window before 4008 (default 120 per 60000 ms; heartbeats count, as on Discord). */
  rateLimit?: { commands: number; windowMs: number };
  /** Largest accepted client payload in bytes (default 4096, 4002 above). */
  maxPayloadBytes?: number;
  /** Close a connection (4000, resumable) whose socket buffer passes this many bytes (default 8 MiB). */
  maxBufferedBytes?: number;
  /** Identify buckets (`shard_id % maxConcurrency`), one Identify per bucket per `identifyIntervalMs` (default 1, 5000). */
  maxConcurrency?: number;
  identifyIntervalMs?: number;
  /**
   * Where identify buckets live. Default: in memory, `identifyIntervalMs` apart (one node). Nodes of a cluster share
   * one so `maxConcurrency` holds cluster-wide: `createRedisIdentifyThrottle` from `@concord/gateway-server/redis`.
   */
  identifyThrottle?: IdentifyThrottle;
  /**
   * Identifies per remote address (IPv6: per /64), refilled continuously; past it the connection is closed with 4008
   * before `authenticate` runs. Failed Identifies count; Resumes do not. `false` = no limit (e.g. behind a proxy, where
   * every client has the proxy's address: limit there instead). Default: 60 per minute (see
   * {@link defaultGatewayServerOptions}).
   */
  identifyLimitPerAddress?: IdentifyAddressLimit | false;
  /** session_start_limit per user (default 1000 per 24 h). */
  sessionStartLimit?: { total: number; resetAfterMs: number };
  /**
   * Where session starts are counted. Default: in memory, per `sessionStartLimit` (one node). Nodes of a cluster share
   * one: `createRedisSessionStartLimiter` from `@concord/gateway-server/redis`.
   */
  sessionStartLimiter?: SessionStartLimiter;
  /** large_threshold default when Identify has none (default 50; clients may ask 50..250). */
  largeThreshold?: number;
  /**
   * How zlib-stream is produced. `shared` (default): each dispatch is deflated once for all its recipients and no
   * connection holds a deflate context (history is not shared across messages, so the ratio is lower).
   * `per-connection`: one deflate context per connection, as Discord does (best ratio; ~256 KiB and one compression
   * per recipient).
   */
  zlibStream?: 'shared' | 'per-connection';
  /** zlib level (default 6). */
  zlibLevel?: number;
  /** Payload compression (`compress: true`) applies to frames at least this big (default 1024 bytes). */
  payloadCompressionThreshold?: number;
  /**
   * Send a dispatch frame straight to its socket's descriptor, one send(2) without Node's stream machinery, when the
   * socket has nothing queued (default true). Needs the optional dependency `@concord/tcp-write` installed and built
   * (Unix, tested on Linux; on Windows, or without it, frames go through `socket.write`). Directly sent bytes are not
   * in `socket.bytesWritten` and do not refresh a `socket.setTimeout` timer; TLS sockets are never written this way.
   */
  directWrites?: boolean;
}

/**
 * The value each option takes when left out, in one place (`createGatewayServer` reads them from here). Options not
 * listed default to an object made at construction: the in-memory ports (`InMemoryDirectory`, `InMemoryBroker`,
 * `InMemoryDetachedSessionStore`, `InMemoryIdentifyThrottle`, `InMemorySessionStartLimiter`), the built-in member
 * request handler and lazy member lists, a static voice allocator.
 */
export const defaultGatewayServerOptions = {
  heartbeatInterval: 41_250,
  heartbeatTimeoutFactor: 1.5,
  identifyTimeout: 20_000,
  replayBufferSize: 1000,
  resumeTtl: 180_000,
  resumeGapLimit: 10_000,
  // Heartbeats count, as on Discord.
  rateLimit: { commands: 120, windowMs: 60_000 },
  maxPayloadBytes: 4096,
  maxBufferedBytes: 8 * 1024 * 1024,
  maxConcurrency: 1,
  identifyIntervalMs: 5000,
  // A burst of 60 then one a second: a household or office reconnecting after a restart passes, a token-spraying
  // client from one address does not.
  identifyLimitPerAddress: { identifies: 60, windowMs: 60_000 },
  sessionStartLimit: { total: 1000, resetAfterMs: 86_400_000 },
  largeThreshold: 50,
  zlibStream: 'shared',
  zlibLevel: 6,
  payloadCompressionThreshold: 1024,
  directWrites: true,
  lazyMemberLists: true,
  streamRegion: 'concord',
  // Discord's figure for a voice channel's streams.
  maxStreamViewers: 50,
} as const satisfies Partial<GatewayServerOptions>;
