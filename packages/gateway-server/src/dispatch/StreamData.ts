import type { Snowflake } from '../types.js';

/**
 * Go Live (screen share) dispatches (not in the public API, so not in discord-api-types): documented by
 * discord-userdoccers ("Streams" in gateway events), written up in docs/protocol.md "Go Live".
 */

/** STREAM_UPDATE: a stream's state, sent to its streamer and viewers when viewers or `paused` change. */
export interface StreamUpdateData {
  /** `guild:<guild>:<channel>:<owner>`. */
  stream_key: string;
  region: string;
  viewer_ids: Snowflake[];
  paused: boolean;
}

/** STREAM_CREATE: the stream as the streamer (after op 18) or a new viewer (after op 20) gets it. */
export interface StreamCreateData extends StreamUpdateData {
  /** Voice Identify `server_id` of the stream connection. */
  rtc_server_id: Snowflake;
  rtc_channel_id: Snowflake;
}

/** STREAM_SERVER_UPDATE: where the stream connection goes; `guild_id` is always null (as Discord sends it). */
export interface StreamServerUpdateData {
  token: string;
  stream_key: string;
  endpoint: string | null;
  guild_id: null;
}

/** Why a stream ended for a recipient (Discord's values). */
export type StreamDeleteReason =
  | 'user_requested'
  | 'stream_ended'
  | 'stream_full'
  | 'unauthorized'
  | 'parse_failed'
  | 'invalid_channel';

/** STREAM_DELETE: the stream ended, or the op 18 / op 20 was refused. */
export interface StreamDeleteData {
  stream_key: string;
  reason: StreamDeleteReason;
  unavailable: boolean;
}
