/** Video codecs of Discord's voice gateway (Select Protocol `codecs`, Session Description `video_codec`). */
export type VideoCodecName = 'H264' | 'VP8' | 'VP9' | 'AV1';

export interface VideoPayloadTypes {
  payloadType: number;
  rtxPayloadType: number;
}

/**
 * Default payload types per codec (docs/protocol.md; each client's Select Protocol table is what counts on the wire, and
 * the SFU rewrites PTs for a receiver whose table differs). Opus stays 120.
 */
export const DEFAULT_VIDEO_PAYLOAD_TYPES: Readonly<Record<VideoCodecName, VideoPayloadTypes>> = {
  H264: { payloadType: 101, rtxPayloadType: 102 },
  VP8: { payloadType: 103, rtxPayloadType: 104 },
  VP9: { payloadType: 105, rtxPayloadType: 106 },
  AV1: { payloadType: 107, rtxPayloadType: 108 },
};

/** RTP clock rate of every video codec (RFC 7741, RFC 6184). */
export const VIDEO_CLOCK_RATE = 90_000;

export function isVideoCodecName(value: unknown): value is VideoCodecName {
  return value === 'H264' || value === 'VP8' || value === 'VP9' || value === 'AV1';
}
