import { randomBytes } from 'node:crypto';
import type { Awaitable, Snowflake } from '../types.js';

export interface VoiceAllocationRequest {
  guildId: Snowflake;
  channelId: Snowflake;
  userId: Snowflake;
  sessionId: string;
}

/** Where a voice client goes next: the `{token, endpoint}` of VOICE_SERVER_UPDATE (`endpoint` null = none available). */
export interface VoiceAllocation {
  token: string;
  endpoint: string | null;
}

/**
 * A user connecting to a Go Live stream (op 18 for the streamer, op 20 for a viewer): see docs/protocol.md "Go Live".
 * The stream is a room of its own on a voice node, keyed by the stream key.
 */
export interface StreamAllocationRequest {
  /** `guild:<guild>:<channel>:<owner>`. */
  streamKey: string;
  guildId: Snowflake;
  channelId: Snowflake;
  ownerId: Snowflake;
  userId: Snowflake;
  sessionId: string;
}

/** STREAM_SERVER_UPDATE's `{token, endpoint}` and STREAM_CREATE's `rtc_server_id` (voice Identify `server_id`). */
export interface StreamAllocation extends VoiceAllocation {
  rtcServerId: Snowflake;
  rtcChannelId: Snowflake;
}

/** A viewer stopped watching (`userId`), or, without `userId`, the stream ended. */
export interface StreamReleaseRequest {
  streamKey: string;
  userId?: Snowflake;
}

/** A voice channel that moved to another voice server (its node died): its members need a new VOICE_SERVER_UPDATE. */
export interface VoiceMove {
  guildId: Snowflake;
  channelId: Snowflake;
}

/**
 * Picks a voice server for a user joining a voice channel (op 4 with a channel). `release` is called when the user
 * leaves voice (op 4 with `channel_id: null`) or the session ends. An allocator that can move channels (voice node
 * failover, e.g. `createVoiceNodeAllocator` of `@concord/voice/cluster`) implements `onMove`: the server then calls
 * `allocate` again for every session of this node in the moved channel and sends each a new VOICE_SERVER_UPDATE.
 */
export interface VoiceAllocator {
  allocate(request: VoiceAllocationRequest): Awaitable<VoiceAllocation>;
  release?(request: Omit<VoiceAllocationRequest, 'channelId'>): Awaitable<void>;
  /**
   * A Go Live stream connection; the same stream key gives the same room. Without it the gateway names the stream's
   * room itself and uses `allocate`/`release` with `guildId` = the stream's `rtc_server_id`.
   */
  allocateStream?(request: StreamAllocationRequest): Awaitable<StreamAllocation>;
  /** A viewer left a stream, or the stream ended. */
  releaseStream?(request: StreamReleaseRequest): Awaitable<void>;
  /** Subscribes to channel moves; returns the unsubscribe function. */
  onMove?(listener: (move: VoiceMove) => void): () => void;
  /**
   * Told of every voice state this node sends (VOICE_STATE_UPDATE), so that the voice server enforces server mute,
   * deafen and `suppress` on the media plane: a client ignoring its server mute must still not be heard.
   */
  voiceStateChanged?(state: VoiceStateNotice): Awaitable<void>;
}

/** A user's voice state as the gateway just sent it, for the voice server to enforce. */
export interface VoiceStateNotice {
  guildId: Snowflake;
  userId: Snowflake;
  sessionId: string;
  /** Null: the user left voice in the guild. */
  channelId: Snowflake | null;
  mute: boolean;
  deaf: boolean;
  /** No SPEAK in the channel (or a stage's audience). */
  suppress: boolean;
}

/** The default allocator: every guild on one voice endpoint, a random token per allocation. */
export function createStaticVoiceAllocator(endpoint: string | null): VoiceAllocator {
  return { allocate: () => ({ endpoint, token: randomBytes(16).toString('hex') }) };
}
