/**
 * Whether an RTP payload starts a keyframe, per codec: the SFU switches a receiver to another simulcast layer only on
 * such a packet (a decoder cannot start anywhere else). Reads a few bytes of the payload descriptor, never allocates,
 * and answers false for anything short or malformed.
 */

/** Video codecs the SFU knows how to switch on (Discord's names). */
export type VideoCodecName = 'H264' | 'VP8' | 'VP9' | 'AV1';

/** VP8 (RFC 7741 §4.2-4.3): the first packet of partition 0 (S=1, PID=0) whose frame header has P=0. */
export function isVp8Keyframe(payload: Uint8Array): boolean {
  const length = payload.length;
  if (length < 1) return false;
  const b0 = payload[0]!;
  if ((b0 & 0x10) === 0 || (b0 & 0x07) !== 0) return false;
  let at = 1;
  if (b0 & 0x80) {
    if (length < 2) return false;
    const x = payload[1]!;
    at = 2;
    if (x & 0x80) {
      if (length <= at) return false;
      at += payload[at]! & 0x80 ? 2 : 1;
    }
    if (x & 0x40) at++;
    if (x & 0x30) at++;
  }
  return length > at && (payload[at]! & 0x01) === 0;
}

/** H.264 (RFC 6184 §5.7-5.8): an IDR slice or an SPS, alone, first in a STAP-A, or at the start of an FU-A. */
export function isH264Keyframe(payload: Uint8Array): boolean {
  if (payload.length < 1) return false;
  const type = payload[0]! & 0x1f;
  if (type === 5 || type === 7) return true;
  if (type === 28) {
    if (payload.length < 2) return false;
    const fu = payload[1]!;
    const inner = fu & 0x1f;
    return (fu & 0x80) !== 0 && (inner === 5 || inner === 7);
  }
  if (type === 24) {
    // STAP-A: 16-bit size, then the NAL unit; a lying size ends the walk.
    let at = 1;
    while (at + 2 < payload.length) {
      const size = (payload[at]! << 8) | payload[at + 1]!;
      at += 2;
      if (size === 0 || at + size > payload.length) return false;
      const inner = payload[at]! & 0x1f;
      if (inner === 5 || inner === 7) return true;
      at += size;
    }
  }
  return false;
}

/** VP9 (RFC 9628 §4.2): the start of a frame (B=1) that is not inter-predicted (P=0) in the base spatial layer. */
export function isVp9Keyframe(payload: Uint8Array): boolean {
  if (payload.length < 1) return false;
  const b0 = payload[0]!;
  if ((b0 & 0x40) !== 0 || (b0 & 0x08) === 0) return false;
  if ((b0 & 0x20) === 0) return true;
  // L=1: the layer indices follow the picture ID; a keyframe starts at spatial layer 0.
  let at = 1;
  if (b0 & 0x80) {
    if (payload.length <= at) return false;
    at += payload[at]! & 0x80 ? 2 : 1;
  }
  if (payload.length <= at) return false;
  return (payload[at]! & 0x0e) === 0;
}

/** AV1 (AV1 RTP spec §4.4): the aggregation header's N bit, set on the first packet of a new coded video sequence. */
export function isAv1Keyframe(payload: Uint8Array): boolean {
  return payload.length >= 1 && (payload[0]! & 0x08) !== 0;
}

export function isKeyframe(codec: VideoCodecName, payload: Uint8Array): boolean {
  switch (codec) {
    case 'VP8':
      return isVp8Keyframe(payload);
    case 'H264':
      return isH264Keyframe(payload);
    case 'VP9':
      return isVp9Keyframe(payload);
    case 'AV1':
      return isAv1Keyframe(payload);
  }
}
