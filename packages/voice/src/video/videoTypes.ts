// The video signalling data as the server keeps it once validated (videoPayloads.ts checks what clients send). Kept
// apart from the parsers so that the media plane (MemberVideo, VideoRouter) does not depend on the signalling side.

export type StreamType = 'video' | 'screen';

/** A stream asked for at Identify: the server allocates its SSRC and RTX SSRC. */
export interface RequestedStream {
  type: StreamType;
  rid: string;
  quality: number;
}

/** What a member says about its streams in op 12 (checked against what it was allocated). */
export interface AnnouncedStream {
  type: StreamType;
  rid: string;
  ssrc: number;
  rtx_ssrc: number;
  active: boolean;
  quality: number;
  max_bitrate?: number;
  max_framerate?: number;
  max_resolution?: { type: string; width: number; height: number };
}

/** Video (op 12), as relayed to the others (with `user_id` added). */
export interface VideoAnnouncement {
  audio_ssrc: number;
  video_ssrc: number;
  rtx_ssrc: number;
  streams: AnnouncedStream[];
}

/** Media Sink Wants (op 15): wanted quality (0-100) for every source (`any`) and per sender's video SSRC. */
export interface SinkWants {
  any: number | null;
  bySsrc: Map<number, number>;
}
