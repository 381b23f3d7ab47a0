/**
 * The gateway ↔ voice contract, in one place and types only. A gateway calls `allocate` when a user joins a voice
 * channel (op 4 with a channel) and sends the answer as VOICE_SERVER_UPDATE; it calls `release` when the user leaves
 * voice (op 4 with `channel_id: null`) or its session ends; an implementation that can move channels between voice
 * servers announces moves through `onMove`, and the gateway then allocates again for every member of the channel.
 *
 * `VoiceServer` (one voice server) and `createVoiceNodeAllocator` (a fleet, `@concord/voice/cluster`) implement it.
 * `@concord/gateway-server`'s `VoiceAllocator` port has the same shape, so either is passed to it as `voiceAllocator`
 * as is. The two packages agree structurally: neither imports the other.
 */

type Awaitable<T> = T | PromiseLike<T>;

/** A user joining a voice channel. `sessionId` is the user's main gateway session, which voice Identify repeats. */
export interface VoiceAllocationRequest {
  guildId: string;
  channelId: string;
  userId: string;
  sessionId: string;
}

/** The `{token, endpoint}` of VOICE_SERVER_UPDATE: `endpoint` is host:port without scheme, null when none is up. */
export interface VoiceAllocation {
  token: string;
  endpoint: string | null;
}

/** A user leaving voice in a guild (or whose main gateway session ended). */
export type VoiceReleaseRequest = Omit<VoiceAllocationRequest, 'channelId'>;

/** A voice channel that moved to another voice server: its members need a new VOICE_SERVER_UPDATE. */
export interface VoiceMove {
  guildId: string;
  channelId: string;
}

/**
 * A user connecting to a Go Live stream (docs/protocol.md "Go Live"): the streamer (`userId === ownerId`, sends its
 * screen) or a viewer (receives it). The stream is a room of its own on a voice node, keyed by the stream key.
 */
export interface StreamAllocationRequest {
  /** `guild:<guild>:<channel>:<owner>`. */
  streamKey: string;
  guildId: string;
  channelId: string;
  ownerId: string;
  userId: string;
  sessionId: string;
}

/**
 * STREAM_SERVER_UPDATE's `{token, endpoint}` and STREAM_CREATE's `rtc_server_id` / `rtc_channel_id`: the stream
 * connection identifies with `server_id: rtcServerId` (not the guild id), as Discord's clients do.
 */
export interface StreamAllocation extends VoiceAllocation {
  rtcServerId: string;
  rtcChannelId: string;
}

/** A viewer stopped watching (`userId`), or, without `userId` (or with the owner's), the stream ended. */
export interface StreamReleaseRequest {
  streamKey: string;
  userId?: string;
}

/** A user's voice state as the gateway just sent it (VOICE_STATE_UPDATE), for the voice server to enforce. */
export interface VoiceStateNotice {
  guildId: string;
  userId: string;
  sessionId: string;
  /** Null: the user left voice in the guild. */
  channelId: string | null;
  /** Server mute (a moderator's). */
  mute: boolean;
  /** Server deafen. */
  deaf: boolean;
  /** No SPEAK in the channel (or a stage's audience). */
  suppress: boolean;
}

/** What a gateway needs of voice. */
export interface VoiceGatewayContract {
  allocate(request: VoiceAllocationRequest): Awaitable<VoiceAllocation>;
  release?(request: VoiceReleaseRequest): Awaitable<void>;
  /** A Go Live stream connection (op 18 / op 20 on the main gateway); the same stream key gives the same room. */
  allocateStream?(request: StreamAllocationRequest): Awaitable<StreamAllocation>;
  /** A viewer left a stream, or the stream ended (its room closes). */
  releaseStream?(request: StreamReleaseRequest): Awaitable<void>;
  /** Subscribes to channel moves; returns the unsubscribe function. */
  onMove?(listener: (move: VoiceMove) => void): () => void;
  /** The gateway sent a user's voice state: enforce server mute, deafen and `suppress` on the media plane. */
  voiceStateChanged?(state: VoiceStateNotice): Awaitable<void>;
}
