/**
 * Shared data shapes and the small hook interfaces of the gateway server.
 *
 * Shapes follow Discord's gateway objects (snake_case, snowflakes as strings). Only the fields the gateway itself reads
 * are required: the serializers (src/serialize) write every field Discord sends, from the input when it has it and
 * Discord's default otherwise, and pass through what else an integrator adds (index signatures).
 *
 * Module contracts (implemented in this package by separate modules):
 * - `src/members/**` implements {@link MemberRequestHandler} (op 8) and {@link LazyMemberLists} (op 14).
 * - `src/metrics/**` implements {@link GatewayMetrics} (Prometheus via prom-client).
 */

import type { APIGuildMember, GatewayPresenceUpdate } from 'discord-api-types/v10';

/** A value or a promise of it: every pluggable hook may be sync or async. */
export type Awaitable<T> = T | PromiseLike<T>;

/** Snowflake ids travel as decimal strings. */
export type Snowflake = string;

export interface UserData {
  id: Snowflake;
  username: string;
  discriminator?: string;
  global_name?: string | null;
  avatar?: string | null;
  bot?: boolean;
  [key: string]: unknown;
}

export interface RoleData {
  id: Snowflake;
  name: string;
  /** Permission bit set as a decimal string, as Discord sends it. */
  permissions: string;
  position: number;
  [key: string]: unknown;
}

export interface ChannelData {
  id: Snowflake;
  /** Discord channel type (0 text, 2 voice, 4 category, ...). */
  type: number;
  guild_id?: Snowflake;
  name?: string;
  [key: string]: unknown;
}

export interface GuildMemberData {
  user: UserData;
  nick?: string | null;
  roles: Snowflake[];
  joined_at: string;
  deaf?: boolean;
  mute?: boolean;
  [key: string]: unknown;
}

export type PresenceStatus = 'online' | 'idle' | 'dnd' | 'invisible' | 'offline';

export interface ActivityData {
  name: string;
  type: number;
  [key: string]: unknown;
}

export interface PresenceData {
  /** Discord sends only `{ id }` here in PRESENCE_UPDATE; a full user is allowed too. */
  user: { id: Snowflake; [key: string]: unknown };
  guild_id?: Snowflake;
  status: PresenceStatus;
  activities: ActivityData[];
  client_status?: { desktop?: string; mobile?: string; web?: string };
  [key: string]: unknown;
}

export interface VoiceStateData {
  guild_id?: Snowflake;
  channel_id: Snowflake | null;
  user_id: Snowflake;
  session_id: string;
  deaf: boolean;
  mute: boolean;
  self_deaf: boolean;
  self_mute: boolean;
  self_video: boolean;
  suppress: boolean;
  member?: GuildMemberData;
  [key: string]: unknown;
}

/**
 * A guild as the directory knows it. The server builds GUILD_CREATE from it: `members`/`presences` are cut to the
 * session's `large_threshold` (the directory may return more, or fewer with `member_count` saying how many exist).
 */
export interface GuildSnapshot {
  id: Snowflake;
  name: string;
  owner_id?: Snowflake;
  channels: ChannelData[];
  roles: RoleData[];
  members: GuildMemberData[];
  presences?: PresenceData[];
  voice_states?: VoiceStateData[];
  /** Total members; defaults to `members.length`. */
  member_count?: number;
  [key: string]: unknown;
}

/** What `authenticate(token, context)` is told about the connection the token came on. */
export interface AuthenticateContext {
  /** The peer's address as the socket sees it (`req.socket.remoteAddress`; behind a proxy, the proxy's). */
  remoteAddress: string;
  /**
   * The `Authorization` scheme a REST request's token came with (`Bot` for bots, `Bearer` for OAuth2 clients), absent
   * for a bare token. The gateway's Identify carries the token alone, so it never sets this.
   */
  scheme?: 'Bot' | 'Bearer';
}

/** The user an `authenticate(token, context)` call resolved to. */
export interface AuthenticatedUser {
  user: UserData;
  /** READY.application; defaults to `{ id: user.id, flags: 0 }`. */
  application?: { id: Snowflake; flags: number; [key: string]: unknown };
  /**
   * When set, an Identify without `shard`, or with fewer shards than this, is closed with 4011 (sharding required).
   */
  minShards?: number;
}

/** Structured logger hook; fields are plain JSON-able data. */
export interface GatewayLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** What a hook may know about the session a request came from. */
export interface SessionInfo {
  sessionId: string;
  userId: Snowflake;
  /** Intent bit set the session identified with. */
  intents: number;
  /** `[shard_id, shard_count]`; `[0, 1]` when the client did not shard. */
  shard: [number, number];
}

/** The `d` of an op 8 Request Guild Members payload, as the client sent it (already decoded, not yet validated). */
export interface RequestGuildMembersData {
  guild_id: Snowflake | Snowflake[];
  query?: string;
  limit?: number;
  presences?: boolean;
  user_ids?: Snowflake | Snowflake[];
  nonce?: string;
  [key: string]: unknown;
}

/** The `d` of one GUILD_MEMBERS_CHUNK dispatch. */
export interface GuildMembersChunkData {
  guild_id: Snowflake;
  /** Serialized by src/serialize (Discord's member objects). */
  members: APIGuildMember[];
  chunk_index: number;
  chunk_count: number;
  not_found?: Snowflake[];
  presences?: GatewayPresenceUpdate[];
  nonce?: string;
}

/**
 * What a {@link MemberRequestHandler} answers for one op 8:
 * - `dispatch`: dispatches to send in order (GUILD_MEMBERS_CHUNK ..., or one RATE_LIMITED `{opcode:8, retry_after, meta}`)
 * - `close`: close the connection with this gateway close code (e.g. 4002 for a malformed request, 4013/4014 for intents).
 */
export type MemberRequestResult =
  | { type: 'dispatch'; events: { t: 'GUILD_MEMBERS_CHUNK' | 'RATE_LIMITED'; d: unknown }[] }
  | { type: 'close'; code: number; reason: string };

/**
 * Answers op 8 Request Guild Members (implemented in `src/members`). The server calls `handle` after the generic
 * checks (identified, rate limit); the handler validates the request (limits, nonce ≤ 32 bytes, intents needed for
 * `query:""` and `presences:true`, the per-guild 30 s whole-list limit on `query:""` with `limit` 0 or above 100),
 * checks the guild is on the session's shard and visible to the user via the directory, queries it, and cuts chunks
 * of at most 1000 members.
 */
export interface MemberRequestHandler {
  handle(session: SessionInfo, request: RequestGuildMembersData): Promise<MemberRequestResult>;
}

/**
 * The op 14 lazy member list (the sidebar of official clients; implemented in `src/members`). The server forwards each
 * op 14 `d` with `subscribe`, calls `unsubscribe` when a session ends, and feeds member/presence changes in; the index
 * sends `GUILD_MEMBER_LIST_UPDATE` payloads through the `send` callback it got at construction
 * (`send(sessionId, 'GUILD_MEMBER_LIST_UPDATE', data)`).
 */
export interface LazyMemberLists {
  subscribe(session: SessionInfo, request: Record<string, unknown>): Awaitable<void>;
  unsubscribe(sessionId: string): void;
  presenceUpdated(guildId: Snowflake, presence: PresenceData): void;
  memberAdded?(guildId: Snowflake, member: GuildMemberData): void;
  memberRemoved?(guildId: Snowflake, userId: Snowflake): void;
}

/** Encoding / compression labels the metrics see. */
export type EncodingLabel = 'json' | 'etf' | 'msgpack';
export type CompressionLabel = 'none' | 'zlib-stream' | 'zstd-stream' | 'payload';

/**
 * Observability hooks (implemented with prom-client in `src/metrics`). Every method is cheap and synchronous; the
 * server calls them on its hot paths, so an implementation must not allocate per call beyond label lookups.
 */
export interface GatewayMetrics {
  /** A WebSocket connection was accepted (after the upgrade). */
  connectionOpened(encoding: EncodingLabel, compression: CompressionLabel): void;
  /** A connection ended; `code` is the close code sent or received (1006 for a dropped socket). */
  connectionClosed(code: number, encoding: EncodingLabel, compression: CompressionLabel): void;
  /** An Identify finished: `ok`, or the reason it was refused. */
  identify(result: 'ok' | 'auth_failed' | 'invalid_shard' | 'invalid_intents' | 'disallowed_intents' | 'error'): void;
  /** A Resume finished; `replayed` = dispatches re-sent. */
  resume(result: 'ok' | 'invalid', replayed: number): void;
  /** One dispatch fanned out: its event name and how many sessions got it. */
  dispatch(event: string, recipients: number): void;
  /** Bytes written to / read from sockets (after compression). */
  bytesSent(bytes: number, encoding: EncodingLabel, compression: CompressionLabel): void;
  bytesReceived(bytes: number): void;
  /** Seconds from `dispatch()` being called to the last recipient's frame being handed to its socket. */
  fanoutLatency(seconds: number): void;
  /** Current number of live (identified, connected) sessions and of resumable (detached) ones. */
  sessions(live: number, resumable: number): void;
  /** A connection was closed because its send buffer passed the bound. */
  backpressureClose?(): void;
  /** A client command (by opcode) was received. */
  command?(op: number): void;
  /**
   * A rate limit was hit: the command limit (4008), a queued Identify, the per-address Identify limit (4008), or the
   * op 8 whole-list limit.
   */
  rateLimited?(kind: 'commands' | 'identify' | 'identify_address' | 'member_request'): void;
  /** While `drain()` runs: sessions not yet moved off this node (still connected, or not yet confirmed stored); 0 when done. */
  draining?(pending: number): void;
}
