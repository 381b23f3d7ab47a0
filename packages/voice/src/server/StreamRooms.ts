import { randomInt } from 'node:crypto';
import type { StreamAllocationRequest } from './VoiceGatewayContract.js';

/** A Go Live stream's room on this voice server. */
export interface StreamRoom {
  streamKey: string;
  /** Voice Identify `server_id` of the stream connection (STREAM_CREATE `rtc_server_id`). */
  rtcServerId: string;
  /** The room's channel id: `rtcServerId - 1`, as Discord's (clients use it as the DAVE group's channel id). */
  rtcChannelId: string;
  ownerId: string;
}

/** Discord's epoch (2015-01-01), for ids that read as snowflakes. */
const DISCORD_EPOCH = 1_420_070_400_000n;

/**
 * The Go Live streams a voice server holds, by stream key and by rtc server id. A stream is a room of its own, named
 * by ids that are not a guild's: the streamer's screen and the channel's voice never share a room, and a user's
 * voice connection and stream connections are separate members (one per user and `server_id`).
 */
export class StreamRooms {
  readonly #byKey = new Map<string, StreamRoom>();
  readonly #byServer = new Map<string, StreamRoom>();

  /** The stream's room, made for its first allocation (streamer or viewer: whichever asks first). */
  open(request: StreamAllocationRequest): StreamRoom {
    const existing = this.#byKey.get(request.streamKey);
    if (existing) return existing;
    let rtcServerId: string;
    do {
      // A snowflake (time << 22 | random), odd so that `rtcServerId - 1` keeps the same timestamp.
      const time = BigInt(Date.now()) - DISCORD_EPOCH;
      rtcServerId = String((time << 22n) | BigInt(randomInt(0, 1 << 21) * 2 + 1));
    } while (this.#byServer.has(rtcServerId));
    const room: StreamRoom = {
      streamKey: request.streamKey,
      rtcServerId,
      rtcChannelId: String(BigInt(rtcServerId) - 1n),
      ownerId: request.ownerId,
    };
    this.#byKey.set(room.streamKey, room);
    this.#byServer.set(rtcServerId, room);
    return room;
  }

  get(streamKey: string): StreamRoom | undefined {
    return this.#byKey.get(streamKey);
  }

  /** The stream an Identify's `server_id` names, if it names one. */
  byServer(serverId: string): StreamRoom | undefined {
    return this.#byServer.get(serverId);
  }

  /** Forgets a stream; returns it (its room is the caller's to close). */
  close(streamKey: string): StreamRoom | undefined {
    const room = this.#byKey.get(streamKey);
    if (!room) return undefined;
    this.#byKey.delete(streamKey);
    this.#byServer.delete(room.rtcServerId);
    return room;
  }
}
