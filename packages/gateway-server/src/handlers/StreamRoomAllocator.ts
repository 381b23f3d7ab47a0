import { randomInt } from 'node:crypto';
import type { StreamAllocation, VoiceAllocator } from '../ports/VoiceAllocator.js';
import type { Snowflake } from '../types.js';

/** What the allocator needs to know of a stream: its key, place and owner, and the rtc ids it was given. */
export interface StreamRoomRef {
  readonly key: string;
  readonly guildId: Snowflake;
  readonly channelId: Snowflake;
  readonly ownerId: Snowflake;
  /** The rtc ids named by this gateway when the allocator has no `allocateStream`. */
  rtc?: { rtcServerId: Snowflake; rtcChannelId: Snowflake };
}

/** A participant of a stream (its streamer or a viewer): the user and main gateway session that voice Identify repeats. */
export interface StreamParticipant {
  readonly userId: Snowflake;
  readonly sessionId: string;
}

const DISCORD_EPOCH = 1_420_070_400_000n;

/**
 * A stream's room on a voice node, through the allocator's `allocateStream`/`releaseStream` when it has them. An
 * allocator without them (a plain `allocate`, e.g. the voice node fleet's) still serves Go Live: the gateway names the
 * room itself (`rtc_server_id`, odd snowflake; `rtc_channel_id` one less, as Discord's) and allocates it like a voice
 * channel of a guild with that id.
 */
export class StreamRoomAllocator {
  readonly #allocator: VoiceAllocator;

  constructor(allocator: VoiceAllocator) {
    this.#allocator = allocator;
  }

  async allocate(stream: StreamRoomRef, who: StreamParticipant): Promise<StreamAllocation> {
    const request = { streamKey: stream.key, guildId: stream.guildId, channelId: stream.channelId };
    if (this.#allocator.allocateStream) {
      return this.#allocator.allocateStream({ ...request, ownerId: stream.ownerId, ...who });
    }
    stream.rtc ??= newRtcIds();
    const { rtcServerId, rtcChannelId } = stream.rtc;
    const { token, endpoint } = await this.#allocator.allocate({
      guildId: rtcServerId,
      channelId: rtcChannelId,
      ...who,
    });
    return { token, endpoint, rtcServerId, rtcChannelId };
  }

  /** A viewer stopped watching. */
  async releaseViewer(stream: StreamRoomRef, who: StreamParticipant): Promise<void> {
    if (this.#allocator.releaseStream) {
      await this.#allocator.releaseStream({ streamKey: stream.key, userId: who.userId });
    } else if (stream.rtc) {
      await this.#allocator.release?.({ guildId: stream.rtc.rtcServerId, ...who });
    }
  }

  /** The stream ended: its room goes, with everyone in it (`participants`, for allocators without `releaseStream`). */
  async end(stream: StreamRoomRef, participants: readonly StreamParticipant[]): Promise<void> {
    if (this.#allocator.releaseStream) {
      await this.#allocator.releaseStream({ streamKey: stream.key });
      return;
    }
    const rtc = stream.rtc;
    if (!rtc) return;
    await Promise.all(participants.map((who) => this.#allocator.release?.({ guildId: rtc.rtcServerId, ...who })));
  }
}

function newRtcIds(): { rtcServerId: Snowflake; rtcChannelId: Snowflake } {
  const time = BigInt(Date.now()) - DISCORD_EPOCH;
  const server = (time << 22n) | BigInt(randomInt(0, 1 << 21) * 2 + 1);
  return { rtcServerId: String(server), rtcChannelId: String(server - 1n) };
}
