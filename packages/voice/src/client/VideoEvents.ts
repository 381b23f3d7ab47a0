import type { VideoCodecName } from '../video/rtp/videoCodecs.js';

/** One whole encoded video frame received from another member. */
export interface ReceivedVideoFrame {
  /** The sender, once its op 12 announced the SSRC; null before. */
  userId: string | null;
  /** The SSRC it came on (the sender's announced video SSRC: the SFU forwards every layer under it). */
  ssrc: number;
  codec: VideoCodecName;
  keyframe: boolean;
  /** The encoded frame: a VP8 frame, or an H.264 access unit in Annex B. */
  data: Buffer;
  /** RTP timestamp (90 kHz). */
  timestamp: number;
  /** Width and height read from a VP8 keyframe; null otherwise. */
  size: { width: number; height: number } | null;
}

/** Another member's camera state, from a relayed op 12. */
export interface RemoteVideo {
  userId: string;
  audioSsrc: number;
  /** 0 when the camera is off. */
  videoSsrc: number;
  rtxSsrc: number;
  active: boolean;
  streams: { rid: string | null; ssrc: number; rtxSsrc: number; active: boolean; quality: number | null }[];
}

/** A receiver (through the SFU) asked for a keyframe of one of our layers: encode the next frame as a keyframe. */
export interface KeyframeRequest {
  rid: string;
  ssrc: number;
  /** `pli` or `fir`. */
  reason: 'pli' | 'fir';
}

/** What `VoiceClient` counts of its video. */
export interface VideoStats {
  framesSent: number;
  packetsSent: number;
  /** RTX packets sent in answer to NACKs. */
  retransmitted: number;
  framesReceived: number;
  keyframesReceived: number;
  /** Frames given up or dropped while waiting for a keyframe. */
  framesDropped: number;
  packetsReceived: number;
  /** RTX packets received and used. */
  rtxReceived: number;
  nacksSent: number;
  plisSent: number;
  rembsSent: number;
  keyframeRequests: number;
}
