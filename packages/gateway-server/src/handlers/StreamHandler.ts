import { Permission } from '../computeChannelPermissions.js';
import type { Directory } from '../Directory.js';
import type { GatewayDispatchEvent, GatewayDispatchMap } from '../dispatch/GatewayDispatchMap.js';
import type { StreamDeleteReason, StreamUpdateData } from '../dispatch/StreamData.js';
import { PreparedDispatch } from '../PreparedDispatch.js';
import type { StreamAllocation, VoiceAllocator } from '../ports/VoiceAllocator.js';
import type { Session } from '../session/Session.js';
import type { Snowflake } from '../types.js';
import { CloseCode } from '../wire/protocol.js';
import type { CommandClient } from './CommandClient.js';
import { StreamRoomAllocator, type StreamRoomRef } from './StreamRoomAllocator.js';
import {
  formatStreamKey,
  parseStreamKey,
  readStreamCreate,
  readStreamKeyCommand,
  readStreamSetPaused,
} from './streamPayloads.js';
import { voiceAccess } from './voiceAccess.js';

/** What Go Live needs from the server. */
export interface StreamContext {
  readonly directory: Directory;
  readonly voiceAllocator: VoiceAllocator;
  /** Sets the streamer's `self_stream` (a VOICE_STATE_UPDATE to the guild) while it is still in `channelId`. */
  setSelfStream(session: Session, guildId: Snowflake, channelId: Snowflake, streaming: boolean): Promise<unknown>;
  /** STREAM_CREATE/STREAM_UPDATE `region`. */
  readonly region: string;
  /** Viewers per stream before op 20 is answered `stream_full`. */
  readonly maxViewers: number;
}

/** A live stream of this node. */
interface LiveStream extends StreamRoomRef {
  readonly owner: Session;
  readonly region: string;
  paused: boolean;
  /** Viewer sessions in the order they started watching. */
  readonly viewers: Set<Session>;
  ended: boolean;
}

/**
 * Go Live (screen share) on the main gateway: ops 18 Stream Create, 19 Stream Delete, 20 Stream Watch, 21 Stream Ping
 * and 22 Stream Set Paused, and the STREAM_CREATE / STREAM_SERVER_UPDATE / STREAM_UPDATE / STREAM_DELETE dispatches
 * (docs/protocol.md "Go Live"). A stream is a room on a voice node keyed by the stream key: the streamer sends its
 * screen there, viewers receive it. Streamer and viewers must be in the stream's voice channel; a stream ends when its
 * streamer deletes it, leaves or changes channel, or its session ends, and a viewer stops when it leaves the channel.
 *
 * The streams live on the gateway node of the streamer's session, and watching one needs the viewer's session on that
 * node too (op 20 for a stream this node does not hold is answered `stream_ended`). Dispatches go to the sessions
 * directly, as VOICE_SERVER_UPDATE does.
 */
export class StreamHandler {
  readonly #context: StreamContext;
  readonly #rooms: StreamRoomAllocator;
  readonly #streams = new Map<string, LiveStream>();
  /** Streams a session owns or watches: what a voice change or session end ends. */
  readonly #ofSession = new WeakMap<Session, Set<LiveStream>>();

  constructor(context: StreamContext) {
    this.#context = context;
    this.#rooms = new StreamRoomAllocator(context.voiceAllocator);
  }

  /** Streams live on this node (tests, metrics). */
  get size(): number {
    return this.#streams.size;
  }

  /** op 18: the session starts streaming in its voice channel. */
  async create(client: CommandClient, session: Session, d: unknown): Promise<void> {
    const command = readStreamCreate(d);
    if (command === null) {
      client.close(CloseCode.DecodeError, 'Invalid stream');
      return;
    }
    const { guildId, channelId } = command;
    if (command.type !== 'guild' || guildId === null) {
      // DM calls have no voice here; other types are not streams a client starts.
      return this.#refuse(session, `call:${channelId}:${session.userId}`, 'invalid_channel');
    }
    // Discord ignores requests for guilds the session does not have (as for op 4).
    if (!session.guilds.has(guildId)) return;
    const key = formatStreamKey(guildId, channelId, session.userId);
    if (!(await this.#mayStream(session, guildId, channelId))) {
      if (!session.destroyed) this.#refuse(session, key, 'unauthorized');
      return;
    }
    if (session.destroyed || session.voice?.get(guildId) !== channelId) return;
    // One stream per key: a new op 18 (another session of the user, or a restart) replaces the old one.
    const old = this.#streams.get(key);
    const stream: LiveStream = {
      key,
      guildId,
      channelId,
      ownerId: session.userId,
      owner: session,
      region: this.#context.region,
      paused: false,
      viewers: new Set(),
      ended: false,
    };
    this.#streams.set(key, stream);
    if (old) this.#end(old, 'stream_ended');
    this.#index(session, stream);
    const allocation = await this.#allocate(stream, session);
    if (stream.ended) return;
    stream.rtc = { rtcServerId: allocation.rtcServerId, rtcChannelId: allocation.rtcChannelId };
    this.#announce(session, stream, key, allocation);
    await this.#context.setSelfStream(session, guildId, channelId, true);
  }

  /** op 19: the streamer ends its stream, or a viewer stops watching. Unknown keys are ignored. */
  delete(client: CommandClient, session: Session, d: unknown): void {
    const key = readStreamKeyCommand(d);
    if (key === null) {
      client.close(CloseCode.DecodeError, 'Invalid stream');
      return;
    }
    const stream = this.#streams.get(key);
    if (!stream) return;
    if (stream.ownerId === session.userId) this.#end(stream, 'user_requested');
    else if (stream.viewers.has(session)) this.#unwatch(stream, session, 'user_requested');
  }

  /** op 20: the session watches a stream of its voice channel. */
  async watch(client: CommandClient, session: Session, d: unknown): Promise<void> {
    const key = readStreamKeyCommand(d);
    if (key === null) {
      client.close(CloseCode.DecodeError, 'Invalid stream');
      return;
    }
    const parsed = parseStreamKey(key);
    if (parsed === null) return this.#refuse(session, key, 'parse_failed');
    const stream = this.#streams.get(key);
    if (!stream) return this.#refuse(session, key, 'stream_ended');
    // The streamer gets its own stream from op 18; it is not one of its viewers.
    if (stream.ownerId === session.userId) return;
    if (!(await this.#mayWatch(session, stream))) {
      if (!session.destroyed) this.#refuse(session, key, 'unauthorized');
      return;
    }
    if (stream.ended) return this.#refuse(session, key, 'stream_ended');
    if (session.destroyed || session.voice?.get(stream.guildId) !== stream.channelId) return;
    if (!stream.viewers.has(session) && stream.viewers.size >= this.#context.maxViewers)
      return this.#refuse(session, key, 'stream_full');
    stream.viewers.add(session);
    this.#index(session, stream);
    const allocation = await this.#allocate(stream, session);
    if (stream.ended || !stream.viewers.has(session)) return;
    this.#announce(session, stream, key, allocation);
    this.#updated(stream, session);
  }

  /** op 21: asks the gateway to check the stream's voice server. Accepted; nothing to check beyond the allocator. */
  ping(client: CommandClient, _session: Session, d: unknown): void {
    if (readStreamKeyCommand(d) === null) client.close(CloseCode.DecodeError, 'Invalid stream');
  }

  /** op 22: the streamer pauses or resumes its stream; its viewers and itself get STREAM_UPDATE. */
  setPaused(client: CommandClient, session: Session, d: unknown): void {
    const command = readStreamSetPaused(d);
    if (command === null) {
      client.close(CloseCode.DecodeError, 'Invalid stream');
      return;
    }
    const stream = this.#streams.get(command.streamKey);
    if (!stream || stream.ownerId !== session.userId || stream.paused === command.paused) return;
    stream.paused = command.paused;
    this.#updated(stream, null);
  }

  /**
   * The session's voice channel in a guild changed (null: it left voice, or its session ended): the streams it owns
   * elsewhere end, and it stops watching those it can no longer be in.
   */
  voiceChanged(session: Session, guildId: Snowflake, channelId: Snowflake | null): void {
    const streams = this.#ofSession.get(session);
    if (!streams) return;
    for (const stream of [...streams]) {
      if (stream.guildId !== guildId || stream.channelId === channelId) continue;
      if (stream.owner === session) this.#end(stream, 'stream_ended');
      else this.#unwatch(stream, session, 'stream_ended');
    }
  }

  /** The participant's room allocation; a failing allocator ends the stream (or the watch) before the error goes on. */
  async #allocate(stream: LiveStream, session: Session) {
    try {
      return await this.#rooms.allocate(stream, session);
    } catch (error) {
      if (stream.owner === session) this.#end(stream, 'stream_ended');
      else this.#unwatch(stream, session, 'stream_ended');
      throw error;
    }
  }

  /** STREAM_CREATE (with the room's rtc ids) and STREAM_SERVER_UPDATE (where and how to connect) to one participant. */
  #announce(session: Session, stream: LiveStream, key: string, allocation: StreamAllocation): void {
    this.#send(session, 'STREAM_CREATE', {
      ...this.#state(stream),
      rtc_server_id: allocation.rtcServerId,
      rtc_channel_id: allocation.rtcChannelId,
    });
    this.#send(session, 'STREAM_SERVER_UPDATE', {
      token: allocation.token,
      stream_key: key,
      endpoint: allocation.endpoint,
      guild_id: null,
    });
  }

  /** Whether the session streams in that channel (its voice state's `self_stream`). */
  isStreaming(session: Session, guildId: Snowflake, channelId: Snowflake): boolean {
    for (const stream of this.#ofSession.get(session) ?? []) {
      if (stream.owner === session && stream.guildId === guildId && stream.channelId === channelId) return true;
    }
    return false;
  }

  /** The session ended on this node: the streams it owns end, and it stops watching the others. */
  sessionEnded(session: Session): void {
    const streams = this.#ofSession.get(session);
    if (!streams) return;
    for (const stream of [...streams]) {
      if (stream.owner === session) this.#end(stream, 'stream_ended');
      else this.#unwatch(stream, session, 'stream_ended');
    }
    this.#ofSession.delete(session);
  }

  async #mayStream(session: Session, guildId: Snowflake, channelId: Snowflake): Promise<boolean> {
    if (session.voice?.get(guildId) !== channelId) return false;
    const access = await voiceAccess(this.#context.directory, session.userId, guildId, channelId);
    return access !== null && (access.permissions & Permission.Stream) !== 0n;
  }

  /** Discord requires watchers to be connected to the stream's voice channel (VIEW_CHANNEL and CONNECT there). */
  async #mayWatch(session: Session, stream: LiveStream): Promise<boolean> {
    if (!session.guilds.has(stream.guildId) || session.voice?.get(stream.guildId) !== stream.channelId) return false;
    return (await voiceAccess(this.#context.directory, session.userId, stream.guildId, stream.channelId)) !== null;
  }

  /** Ends a stream: STREAM_DELETE to its streamer (`reason`) and viewers (`stream_ended`), its room released. */
  #end(stream: LiveStream, reason: StreamDeleteReason): void {
    if (stream.ended) return;
    stream.ended = true;
    if (this.#streams.get(stream.key) === stream) this.#streams.delete(stream.key);
    const viewers = [...stream.viewers];
    stream.viewers.clear();
    for (const viewer of viewers) {
      this.#ofSession.get(viewer)?.delete(stream);
      this.#send(viewer, 'STREAM_DELETE', { stream_key: stream.key, reason: 'stream_ended', unavailable: false });
    }
    this.#ofSession.get(stream.owner)?.delete(stream);
    this.#send(stream.owner, 'STREAM_DELETE', { stream_key: stream.key, reason, unavailable: false });
    void this.#rooms.end(stream, [stream.owner, ...viewers]).catch(() => undefined);
    // A new stream under the same key (a restart) keeps the flag on.
    if (!this.#streams.has(stream.key)) {
      void this.#context.setSelfStream(stream.owner, stream.guildId, stream.channelId, false).catch(() => undefined);
    }
  }

  #unwatch(stream: LiveStream, viewer: Session, reason: StreamDeleteReason): void {
    if (!stream.viewers.delete(viewer)) return;
    this.#ofSession.get(viewer)?.delete(stream);
    this.#send(viewer, 'STREAM_DELETE', { stream_key: stream.key, reason, unavailable: false });
    void this.#rooms.releaseViewer(stream, viewer).catch(() => undefined);
    this.#updated(stream, null);
  }

  /** Refuses an op 18 / op 20 the way Discord does: STREAM_DELETE to the asking session only. */
  #refuse(session: Session, key: string, reason: StreamDeleteReason): void {
    this.#send(session, 'STREAM_DELETE', { stream_key: key, reason, unavailable: false });
  }

  /** STREAM_UPDATE to the streamer and every viewer but `except` (who just got STREAM_CREATE). */
  #updated(stream: LiveStream, except: Session | null): void {
    const state = this.#state(stream);
    for (const session of [stream.owner, ...stream.viewers]) {
      if (session !== except) this.#send(session, 'STREAM_UPDATE', state);
    }
  }

  #state(stream: LiveStream): StreamUpdateData {
    const viewerIds = new Set<Snowflake>();
    for (const viewer of stream.viewers) viewerIds.add(viewer.userId);
    return { stream_key: stream.key, region: stream.region, viewer_ids: [...viewerIds], paused: stream.paused };
  }

  #index(session: Session, stream: LiveStream): void {
    let streams = this.#ofSession.get(session);
    if (!streams) {
      streams = new Set();
      this.#ofSession.set(session, streams);
    }
    streams.add(stream);
  }

  #send<E extends GatewayDispatchEvent>(session: Session, event: E, data: GatewayDispatchMap[E]): void {
    if (!session.destroyed) session.send(PreparedDispatch.forOne(event, data), true);
  }
}
