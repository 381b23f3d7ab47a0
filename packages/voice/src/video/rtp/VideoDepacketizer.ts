import { depacketizeH264, isH264FrameStart, isH264Keyframe } from './h264.js';
import type { VideoCodecName } from './videoCodecs.js';
import { depacketizeVp8, isVp8FrameStart, isVp8Keyframe } from './vp8.js';

/** What the frame assembler needs to know of a codec's RTP payload format. */
export interface VideoDepacketizer {
  readonly codec: VideoCodecName;
  /** Whether a payload can be the first of a frame. */
  isFrameStart(payload: Uint8Array): boolean;
  /** Whether a payload shows its frame is a keyframe (checked on every payload of a frame). */
  isKeyframe(payload: Uint8Array): boolean;
  /** Joins one frame's payloads, in sequence order, into the encoded frame; throws a VideoRtpError when malformed. */
  depacketize(payloads: readonly Uint8Array[]): Buffer;
}

export const vp8Depacketizer: VideoDepacketizer = {
  codec: 'VP8',
  isFrameStart: isVp8FrameStart,
  isKeyframe: isVp8Keyframe,
  depacketize: depacketizeVp8,
};

export const h264Depacketizer: VideoDepacketizer = {
  codec: 'H264',
  isFrameStart: isH264FrameStart,
  isKeyframe: isH264Keyframe,
  depacketize: depacketizeH264,
};

/** The depacketizer of a codec, or null for one this package cannot depacketize yet (VP9, AV1). */
export function depacketizerFor(codec: VideoCodecName): VideoDepacketizer | null {
  if (codec === 'VP8') return vp8Depacketizer;
  if (codec === 'H264') return h264Depacketizer;
  return null;
}
