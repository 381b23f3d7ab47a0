import type { FrameAssemblerOptions } from '../video/rtp/FrameAssembler.js';
import type { VideoCodecName } from '../video/rtp/videoCodecs.js';

/** One simulcast layer this client sends (one entry of Identify `streams` and of op 12 `streams`). */
export interface VideoLayer {
  /** RTP stream id: Discord's clients use '100' (full), '50' (half), '25'… */
  rid: string;
  /** 0-100: how good this layer is relative to the others (what op 15 wants are measured against). */
  quality: number;
  /** `video` (camera) or `screen` (Go Live); default `video`. */
  type?: 'video' | 'screen';
  width: number;
  height: number;
  /** Bits per second and frames per second announced in op 12 (informational for the SFU). */
  maxBitrate: number;
  maxFramerate: number;
}

/** The video part of `VoiceClientOptions`: present = this client negotiates video (send and/or receive). */
export interface VoiceClientVideoOptions {
  /** The codec we send and prefer to receive (default VP8; H264 is also offered and depacketized). */
  codec?: VideoCodecName;
  /** Layers we send, best last or first as you like; none = receive only. */
  layers?: readonly VideoLayer[];
  /**
   * Receive bandwidth cap announced by REMB, bits per second (the SFU picks each sender's layer that fits). Default
   * null: no REMB is sent.
   */
  maxReceiveBitrate?: number | null;
  /** Ask for missing packets with RTCP NACK (default true). */
  nack?: boolean;
  /** Largest RTP payload we send, bytes (default 1100: with headers and encryption it stays below 1200). */
  maxPayload?: number;
  /** How often REMB is repeated, ms (default 1000). */
  rembInterval?: number;
  /** Smallest spacing of our PLIs about one stream, ms (default 250). */
  pliInterval?: number;
  /** Frame reassembly limits (reorder window, wait for retransmissions). */
  assembler?: FrameAssemblerOptions;
}

export const defaultVideoOptions = {
  codec: 'VP8',
  nack: true,
  maxPayload: 1100,
  rembInterval: 1000,
  pliInterval: 250,
} as const;
