import type { Directory } from '../Directory.js';
import { isObject } from '../isObject.js';
import { isThenable } from '../isThenable.js';
import { PreparedDispatch } from '../PreparedDispatch.js';
import type { VoiceAllocation, VoiceAllocator } from '../ports/VoiceAllocator.js';
import { readSnowflake } from '../readSnowflake.js';
import { serializeVoiceState } from '../serialize/serializeVoiceState.js';
import type { Session } from '../session/Session.js';
import type { SessionSink } from '../session/SessionSink.js';
import type { Awaitable, Snowflake, VoiceStateData } from '../types.js';
import { CloseCode, GatewayIntentBits as Intent } from '../wire/protocol.js';
import type { CommandClient } from './CommandClient.js';
import { voiceAccess } from './voiceAccess.js';

/** What voice state handling needs from the server. */
export interface VoiceStateContext {
  readonly directory: Directory;
  readonly voiceAllocator: VoiceAllocator;
  dispatchToGuild(guildId: Snowflake, event: string, data: unknown): void;
  /** The session's shared record changed (resume store). */
  touch(session: Session): void;
  /** This node's sessions in a guild (for a reallocation). */
  inGuild(guildId: Snowflake): Iterable<Session> | undefined;
  /** The session's voice channel in the guild changed (null: it left voice): Go Live ends its streams elsewhere. */
  voiceChanged?(session: Session, guildId: Snowflake, channelId: Snowflake | null): void;
  /** Whether the session streams (Go Live) in that channel: its voice state's `self_stream`. */
  isStreaming?(session: Session, guildId: Snowflake, channelId: Snowflake): boolean;
  /** The voice server refused or failed a voice state notice (logged; the op 4 stands). */
  voiceError?(error: unknown): void;
}

/**
 * op 4 Voice State Update and what follows from it: the VOICE_STATE_UPDATE for the guild, a voice server allocation
 * (VOICE_SERVER_UPDATE to the session), its release when the session leaves, and a new one after a voice failover.
 */
export class VoiceStateHandler {
  readonly #context: VoiceStateContext;
  /** The last voice state sent per session and guild: what a server-side move or mute starts from. */
  readonly #states = new WeakMap<Session, Map<Snowflake, VoiceStateData>>();
  /** Per session and guild, a joining session's VOICE_SERVER_UPDATE waiting for its own state (see #follow). */
  readonly #following = new WeakMap<Session, Map<Snowflake, () => void>>();

  constructor(context: VoiceStateContext) {
    this.#context = context;
  }

  async update(client: CommandClient, session: Session, d: unknown): Promise<void> {
    const { directory } = this.#context;
    const guildId = isObject(d) ? readSnowflake(d.guild_id) : null;
    const channelId = isObject(d) && d.channel_id !== null ? readSnowflake(d.channel_id) : null;
    if (
      !isObject(d) ||
      guildId === null ||
      (d.channel_id !== null && channelId === null) ||
      typeof d.self_mute !== 'boolean' ||
      typeof d.self_deaf !== 'boolean'
    ) {
      client.close(CloseCode.DecodeError, 'Invalid voice state');
      return;
    }
    // Discord ignores voice requests for guilds the session does not have.
    if (!session.guilds.has(guildId)) return;
    const previous = session.voice?.get(guildId);
    // A voice or stage channel of this guild, with VIEW_CHANNEL and CONNECT; otherwise ignored, as Discord does.
    const access = channelId === null ? null : await voiceAccess(directory, session.userId, guildId, channelId);
    if (channelId !== null && access === null) return;
    const [member] = await directory.members(guildId, { limit: 1, userIds: [session.userId] });
    if (session.destroyed) return;
    const state: VoiceStateData = {
      guild_id: guildId,
      channel_id: channelId,
      user_id: session.userId,
      ...(member ? { member } : {}),
      session_id: session.sessionId,
      // Server mute and deafen are the member's (set by moderators through the guild's member, not by the client).
      deaf: member?.deaf === true,
      mute: member?.mute === true,
      self_deaf: d.self_deaf,
      self_mute: d.self_mute,
      self_video: d.self_video === true,
      // Go Live's (op 18), not op 4's: true while the session streams in this channel.
      self_stream: channelId !== null && this.#context.isStreaming?.(session, guildId, channelId) === true,
      // Without SPEAK (or on a stage) the member is in the channel but may not speak (see voiceAccess.ts).
      suppress: access?.suppress ?? false,
      request_to_speak_timestamp: null,
    };
    await directory.setVoiceState?.(guildId, state);
    if (session.destroyed) return;
    this.#remember(session, guildId, state);
    // Part of the shared record: a session resumed on another node still gets VOICE_SERVER_UPDATE on a voice failover.
    this.#context.touch(session);
    if (channelId === null) {
      this.#announce(session, guildId, state);
      if (previous !== undefined) {
        await this.#context.voiceAllocator.release?.({ guildId, userId: session.userId, sessionId: session.sessionId });
      }
      return;
    }
    // A join: the voice server is allocated before the state is announced, so that the joining client reads its
    // VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE together (discord.py loses its connect wake-up when the second comes
    // a few hundred µs after the first: docs/COMPATIBILITY.md (§§)).
    let allocation: VoiceAllocation;
    try {
      allocation = await this.#allocate(session, guildId, channelId);
    } catch (error) {
      // The op 4 stands without a voice server (as before the allocator was asked): the guild still learns the state.
      if (this.#current(session, guildId, state)) this.#announce(session, guildId, state);
      throw error;
    }
    // The session left, ended or moved while the allocator was thinking: what did that announces the state.
    if (!inChannel(session, guildId, channelId)) return;
    // Unless a later state in the same channel (an op 4, a server mute) was announced meanwhile.
    const announce = this.#current(session, guildId, state);
    const connection = session.connection;
    // The VOICE_SERVER_UPDATE follows the session's own VOICE_STATE_UPDATE in the same socket write: at once with the
    // in-process broker, a broker round trip later on a cluster (the node delivers its own copy when the bus brings
    // it back). Without GUILD_VOICE_STATES the session gets no VOICE_STATE_UPDATE to follow: sent at once.
    const follows =
      announce && connection?.followNext !== undefined && (session.intents & Intent.GuildVoiceStates) !== 0;
    if (follows) this.#follow(session, connection, guildId, channelId, allocation);
    if (announce) this.#announce(session, guildId, state);
    if (!follows) this.#sendAllocation(session, guildId, allocation);
  }

  /**
   * Sends `allocation` right after the session's own VOICE_STATE_UPDATE for the guild is written to `connection`
   * (Connection.followNext), or after {@link FOLLOW_TIMEOUT_MS} if that never comes (a lost bus message, a new
   * connection), unless the session left the channel meanwhile.
   */
  #follow(
    session: Session,
    connection: SessionSink,
    guildId: Snowflake,
    channelId: Snowflake,
    allocation: VoiceAllocation,
  ): void {
    const following = this.#following.get(session) ?? new Map<Snowflake, () => void>();
    this.#following.set(session, following);
    // An earlier join in this guild still waiting: this one replaces it.
    const earlier = following.get(guildId);
    if (earlier !== undefined) connection.unfollow?.(earlier);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const send = () => {
      if (following.get(guildId) !== send) return;
      following.delete(guildId);
      clearTimeout(timer);
      connection.unfollow?.(send);
      if (inChannel(session, guildId, channelId)) this.#sendAllocation(session, guildId, allocation);
    };
    const own = (dispatch: PreparedDispatch) =>
      dispatch.event === 'VOICE_STATE_UPDATE' && isStateOf(dispatch.data, session.sessionId, guildId);
    following.set(guildId, send);
    connection.followNext!(own, send);
    timer = setTimeout(send, FOLLOW_TIMEOUT_MS);
    timer.unref?.();
  }

  /** The guild (the session included) learns a session's new voice state; Go Live hears of the channel change. */
  #announce(session: Session, guildId: Snowflake, state: VoiceStateData): void {
    this.#context.dispatchToGuild(guildId, 'VOICE_STATE_UPDATE', serializeVoiceState(state));
    this.#context.voiceChanged?.(session, guildId, state.channel_id);
  }

  /** Whether `state` is still the session's last voice state in the guild (no later op 4, move or end). */
  #current(session: Session, guildId: Snowflake, state: VoiceStateData): boolean {
    return !session.destroyed && this.#states.get(session)?.get(guildId) === state;
  }

  /**
   * Sends a new VOICE_SERVER_UPDATE (fresh allocation) to every session of this node in a voice channel: what follows
   * a voice node failover. Returns how many sessions were sent one.
   */
  async reallocate(guildId: Snowflake, channelId: Snowflake): Promise<number> {
    const sessions = [...(this.#context.inGuild(guildId) ?? [])].filter(
      (s) => !s.destroyed && s.voice?.get(guildId) === channelId,
    );
    await Promise.all(sessions.map((session) => this.#sendVoiceServer(session, guildId, channelId)));
    return sessions.length;
  }

  /**
   * A moderator moved a user to another voice channel (`channelId`) or disconnected them (null): each of this node's
   * sessions of the user in voice in the guild gets the new state, and after a move a VOICE_SERVER_UPDATE for the new
   * channel. Permissions are the caller's to check. Returns how many sessions were moved.
   */
  async move(guildId: Snowflake, userId: Snowflake, channelId: Snowflake | null): Promise<number> {
    let moved = 0;
    for (const session of this.#voiceSessions(guildId, userId)) {
      const previous = this.#states.get(session)?.get(guildId);
      if (channelId === null) {
        session.voice?.delete(guildId);
        this.#states.get(session)?.delete(guildId);
        this.#context.touch(session);
        await this.leave(session, guildId);
        moved++;
        continue;
      }
      const state = await this.#restate(session, guildId, {
        ...(previous ?? blankState(session, guildId)),
        channel_id: channelId,
        self_stream: false,
      });
      if (state === null) continue;
      this.#context.voiceChanged?.(session, guildId, channelId);
      this.#context.touch(session);
      await this.#sendVoiceServer(session, guildId, channelId);
      moved++;
    }
    return moved;
  }

  /**
   * The member's server mute or deafen changed: this node's sessions of the user in voice in the guild send the
   * guild their state again with the member's `mute` and `deaf`. Returns how many sessions were updated.
   */
  async refresh(guildId: Snowflake, userId: Snowflake): Promise<number> {
    let updated = 0;
    for (const session of this.#voiceSessions(guildId, userId)) {
      const previous = this.#states.get(session)?.get(guildId);
      if (!previous) continue;
      if ((await this.#restate(session, guildId, previous)) === null) continue;
      updated++;
    }
    return updated;
  }

  /**
   * Go Live started or ended for a session streaming in `channelId`: the guild gets its voice state with
   * `self_stream`. False (nothing sent) when the session is no longer in that channel or the flag is already so.
   */
  async setSelfStream(
    session: Session,
    guildId: Snowflake,
    channelId: Snowflake,
    streaming: boolean,
  ): Promise<boolean> {
    const previous = this.#states.get(session)?.get(guildId);
    const current = () => !session.destroyed && session.voice?.get(guildId) === channelId;
    if (!current() || previous?.channel_id !== channelId || (previous.self_stream === true) === streaming) return false;
    const state: VoiceStateData = { ...previous, self_stream: streaming };
    await this.#context.directory.setVoiceState?.(guildId, state);
    // An op 4 may have moved or removed the session meanwhile: its state stands.
    if (!current() || this.#states.get(session)?.get(guildId) !== previous) return false;
    this.#remember(session, guildId, state);
    this.#context.touch(session);
    this.#context.dispatchToGuild(guildId, 'VOICE_STATE_UPDATE', serializeVoiceState(state));
    return true;
  }

  /**
   * Sends the guild a session's voice state again, `base` with the member's current server mute and deafen (and
   * member object); null when the session ended meanwhile.
   */
  async #restate(session: Session, guildId: Snowflake, base: VoiceStateData): Promise<VoiceStateData | null> {
    const [member] = await this.#context.directory.members(guildId, { limit: 1, userIds: [session.userId] });
    const state: VoiceStateData = {
      ...base,
      ...(member ? { member } : {}),
      deaf: member?.deaf === true,
      mute: member?.mute === true,
    };
    await this.#context.directory.setVoiceState?.(guildId, state);
    if (session.destroyed) return null;
    this.#remember(session, guildId, state);
    this.#context.dispatchToGuild(guildId, 'VOICE_STATE_UPDATE', serializeVoiceState(state));
    return state;
  }

  /**
   * Hands the state to the voice server (VoiceAllocator.voiceStateChanged), which enforces server mute, deafen and
   * `suppress` on the media plane. Its failure must not fail the op 4 (the state was sent): reported, not thrown.
   */
  #enforce(session: Session, guildId: Snowflake, state: VoiceStateData): void {
    const notify = this.#context.voiceAllocator.voiceStateChanged;
    if (!notify) return;
    try {
      const done = notify.call(this.#context.voiceAllocator, {
        guildId,
        userId: session.userId,
        sessionId: session.sessionId,
        channelId: state.channel_id,
        mute: state.mute === true,
        deaf: state.deaf === true,
        suppress: state.suppress === true,
      });
      if (isThenable(done)) Promise.resolve(done).catch((error: unknown) => this.#context.voiceError?.(error));
    } catch (error) {
      this.#context.voiceError?.(error);
    }
  }

  #voiceSessions(guildId: Snowflake, userId: Snowflake): Session[] {
    return [...(this.#context.inGuild(guildId) ?? [])].filter(
      (s) => !s.destroyed && s.userId === userId && s.voice?.get(guildId) !== undefined,
    );
  }

  #remember(session: Session, guildId: Snowflake, state: VoiceStateData): void {
    this.#enforce(session, guildId, state);
    let states = this.#states.get(session);
    if (state.channel_id === null) {
      session.voice?.delete(guildId);
      states?.delete(guildId);
      return;
    }
    session.voice ??= new Map();
    session.voice.set(guildId, state.channel_id);
    if (!states) {
      states = new Map();
      this.#states.set(session, states);
    }
    states.set(guildId, state);
  }

  /** The session ended in a voice channel: it leaves it (for the guild, the directory and the allocator). */
  async leave(session: Session, guildId: Snowflake): Promise<void> {
    const state = blankState(session, guildId);
    await this.#context.directory.setVoiceState?.(guildId, state);
    this.#context.dispatchToGuild(guildId, 'VOICE_STATE_UPDATE', serializeVoiceState(state));
    this.#context.voiceChanged?.(session, guildId, null);
    await this.#context.voiceAllocator.release?.({ guildId, userId: session.userId, sessionId: session.sessionId });
  }

  /** Allocates a voice server for a session in a voice channel and sends it VOICE_SERVER_UPDATE. */
  async #sendVoiceServer(session: Session, guildId: Snowflake, channelId: Snowflake): Promise<void> {
    const allocation = await this.#allocate(session, guildId, channelId);
    // The session may have left or moved channel while the allocator was thinking.
    if (inChannel(session, guildId, channelId)) this.#sendAllocation(session, guildId, allocation);
  }

  #allocate(session: Session, guildId: Snowflake, channelId: Snowflake): Awaitable<VoiceAllocation> {
    return this.#context.voiceAllocator.allocate({
      guildId,
      channelId,
      userId: session.userId,
      sessionId: session.sessionId,
    });
  }

  #sendAllocation(session: Session, guildId: Snowflake, allocation: VoiceAllocation): void {
    session.send(
      PreparedDispatch.forOne('VOICE_SERVER_UPDATE', {
        token: allocation.token,
        guild_id: guildId,
        endpoint: allocation.endpoint,
      }),
      true,
    );
  }
}

/**
 * Longest a joining session's VOICE_SERVER_UPDATE waits for its own VOICE_STATE_UPDATE to come back from the broker
 * (a bus round trip is ~0.1–1 ms; this only bounds a message the bus lost).
 */
const FOLLOW_TIMEOUT_MS = 2_000;

/** Whether the session is (still) live and in `channelId` of the guild. */
function inChannel(session: Session, guildId: Snowflake, channelId: Snowflake): boolean {
  return !session.destroyed && session.voice?.get(guildId) === channelId;
}

/** Whether a VOICE_STATE_UPDATE's `d` is the voice state of session `sessionId` in `guildId`. */
function isStateOf(data: unknown, sessionId: string, guildId: Snowflake): boolean {
  return isObject(data) && data.session_id === sessionId && data.guild_id === guildId;
}

/** A voice state out of every channel with nothing set: a session leaving, or one whose last state this node lacks. */
function blankState(session: Session, guildId: Snowflake): VoiceStateData {
  return {
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
}
