import { VideoRtpError } from './VideoRtpError.js';

/** What the VP8 payload descriptor (RFC 7741 §4.2) of one RTP packet says. */
export interface Vp8Descriptor {
  /** Bytes taken by the descriptor; the VP8 data starts here. */
  length: number;
  /** S bit: this packet starts a VP8 partition. */
  partitionStart: boolean;
  /** Partition index (PID). */
  partitionId: number;
  /** Non-reference frame (N bit): losing it breaks no other frame. */
  nonReference: boolean;
  /** PictureID (7 or 15 bits), null when absent. */
  pictureId: number | null;
  /** TL0PICIDX, null when absent. */
  tl0PicIdx: number | null;
  /** Temporal layer index (TID), null when absent. */
  temporalId: number | null;
}

/**
 * Parses the payload descriptor at the start of a VP8 RTP payload. Every optional field is checked against the
 * payload, so a lying X/I/L/T/K byte gives a VideoRtpError, never an out-of-range read.
 */
export function parseVp8Descriptor(payload: Uint8Array): Vp8Descriptor {
  if (payload.length < 1) throw new VideoRtpError('VP8_TOO_SHORT', 'empty VP8 payload');
  const b0 = payload[0]!;
  let at = 1;
  let pictureId: number | null = null;
  let tl0PicIdx: number | null = null;
  let temporalId: number | null = null;
  if (b0 & 0x80) {
    const x = payload[at++];
    if (x === undefined) throw new VideoRtpError('VP8_TOO_SHORT', 'X set without extension byte');
    if (x & 0x80) {
      const p0 = payload[at++];
      if (p0 === undefined) throw new VideoRtpError('VP8_TOO_SHORT', 'I set without PictureID');
      if (p0 & 0x80) {
        const p1 = payload[at++];
        if (p1 === undefined) throw new VideoRtpError('VP8_TOO_SHORT', 'PictureID M set without second byte');
        pictureId = ((p0 & 0x7f) << 8) | p1;
      } else pictureId = p0;
    }
    if (x & 0x40) {
      const t = payload[at++];
      if (t === undefined) throw new VideoRtpError('VP8_TOO_SHORT', 'L set without TL0PICIDX');
      tl0PicIdx = t;
    }
    if (x & 0x30) {
      const t = payload[at++];
      if (t === undefined) throw new VideoRtpError('VP8_TOO_SHORT', 'T/K set without TID/KEYIDX byte');
      if (x & 0x20) temporalId = t >> 6;
    }
  }
  return {
    length: at,
    partitionStart: (b0 & 0x10) !== 0,
    partitionId: b0 & 0x07,
    nonReference: (b0 & 0x20) !== 0,
    pictureId,
    tl0PicIdx,
    temporalId,
  };
}

/** Whether this packet starts a VP8 frame: S set on partition 0 (RFC 7741 §4.4). Garbage is not a start. */
export function isVp8FrameStart(payload: Uint8Array): boolean {
  try {
    const d = parseVp8Descriptor(payload);
    return d.partitionStart && d.partitionId === 0 && payload.length > d.length;
  } catch {
    return false;
  }
}

/**
 * Whether an RTP payload starts a VP8 keyframe: the first packet of a frame, whose VP8 payload header has P = 0 (bit 0
 * of the first byte, RFC 6386 §9.1). Packets other than the first of a frame say nothing, so they answer false.
 */
export function isVp8Keyframe(payload: Uint8Array): boolean {
  if (!isVp8FrameStart(payload)) return false;
  return (payload[parseVp8Descriptor(payload).length]! & 0x01) === 0;
}

/** Whether an encoded VP8 frame (no RTP descriptor) is a keyframe. */
export function isVp8KeyframeData(frame: Uint8Array): boolean {
  return frame.length >= 10 && (frame[0]! & 0x01) === 0;
}

/**
 * Width and height of an encoded VP8 keyframe (RFC 6386 §9.1: start code 9d 01 2a, then 14-bit width and height,
 * little endian); null for an interframe or a frame too short to carry them.
 */
export function vp8FrameSize(frame: Uint8Array): { width: number; height: number } | null {
  if (!isVp8KeyframeData(frame) || frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) return null;
  return { width: (frame[6]! | (frame[7]! << 8)) & 0x3fff, height: (frame[8]! | (frame[9]! << 8)) & 0x3fff };
}

/** Bytes of the descriptor `Vp8Payloader` writes: X, I with a 15-bit PictureID. */
const VP8_DESCRIPTOR_SIZE = 4;

/**
 * Splits encoded VP8 frames into RTP payloads (RFC 7741): every packet carries a descriptor with a 15-bit PictureID
 * that increases per frame (receivers and SFUs use it to see a lost frame across a layer switch); the first packet of a
 * frame has S = 1. Everything goes in partition 0, as libwebrtc does without partition-aware packetization.
 */
export class Vp8Payloader {
  private pictureId: number;

  public constructor(firstPictureId = 0) {
    this.pictureId = firstPictureId & 0x7fff;
  }

  /** The payloads of one frame, each at most `maxPayload` bytes (descriptor included). */
  public packetize(frame: Uint8Array, maxPayload: number): Buffer[] {
    const room = maxPayload - VP8_DESCRIPTOR_SIZE;
    if (!(room >= 1)) throw new RangeError(`maxPayload ${maxPayload} leaves no room for VP8 data`);
    if (frame.length === 0) throw new RangeError('empty VP8 frame');
    const out: Buffer[] = [];
    const picture = this.pictureId;
    this.pictureId = (this.pictureId + 1) & 0x7fff;
    for (let at = 0; at < frame.length; at += room) {
      const chunk = frame.subarray(at, Math.min(frame.length, at + room));
      const packet = Buffer.allocUnsafe(VP8_DESCRIPTOR_SIZE + chunk.length);
      packet[0] = 0x80 | (at === 0 ? 0x10 : 0);
      packet[1] = 0x80;
      packet[2] = 0x80 | (picture >> 8);
      packet[3] = picture & 0xff;
      packet.set(chunk, VP8_DESCRIPTOR_SIZE);
      out.push(packet);
    }
    return out;
  }
}

/** Joins the payloads of one frame (in sequence order) back into the encoded VP8 frame. */
export function depacketizeVp8(payloads: readonly Uint8Array[]): Buffer {
  const parts: Uint8Array[] = [];
  for (const payload of payloads) parts.push(payload.subarray(parseVp8Descriptor(payload).length));
  return Buffer.concat(parts);
}
